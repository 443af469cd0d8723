//! Reading configuration files: Java `.properties` and the HOCON subset `kairosdb.conf` uses
//! (nested blocks, `key = value` / `key: value`, comments, quoted strings, lists).

use std::path::Path;

use super::ConfigError;

/// The format of a configuration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `key=value` lines.
    Properties,
    /// HOCON (`.conf`).
    Hocon,
    /// JSON (`.json`).
    Json,
}

/// Reads a file into flat `(dotted.key, value)` pairs; the format follows the extension, as in Java.
pub fn parse_file(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("properties") => Format::Properties,
        Some("json") => Format::Json,
        _ => Format::Hocon,
    };
    let parsed = match format {
        Format::Hocon => parse_hocon(&text, path.parent(), 0),
        other => parse_text(&text, other),
    };
    parsed.map_err(|reason| ConfigError::File {
        path: path.display().to_string(),
        reason,
    })
}

/// Parses configuration text into flat `(dotted.key, value)` pairs.
pub fn parse_text(text: &str, format: Format) -> Result<Vec<(String, String)>, String> {
    match format {
        Format::Properties => Ok(parse_properties(text)),
        Format::Hocon => parse_hocon(text, None, 0),
        Format::Json => {
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            flatten_json("", &v, &mut out);
            Ok(out)
        }
    }
}

fn flatten_json(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_json(&key, child, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn parse_properties(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            let i = l.find(['=', ':'])?;
            Some((l[..i].trim().to_string(), l[i + 1..].trim().to_string()))
        })
        .collect()
}

fn strip_comment(line: &str) -> &str {
    let mut in_quote = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_quote = !in_quote,
            b'#' if !in_quote => return &line[..i],
            b'/' if !in_quote && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

fn unquote(v: &str) -> String {
    let v = v.trim().trim_end_matches(',').trim();
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        v[1..v.len() - 1]
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
    } else {
        v.to_string()
    }
}

/// Open `[`/`{` minus closed ones outside quoted strings: a multi-line list (possibly of
/// objects, like Java's `read_clusters`) ends where this returns to zero.
fn bracket_depth(text: &str) -> i32 {
    let mut depth = 0;
    let mut in_quote = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '[' | '{' if !in_quote => depth += 1,
            ']' | '}' if !in_quote => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// The file of an `include` line: `"f"`, `file("f")`, either inside `required(...)`.
fn include_target(spec: &str) -> Result<(String, bool), String> {
    let inner = |s: &str, name: &str| {
        s.strip_prefix(name)
            .and_then(|r| r.trim().strip_prefix('('))
            .and_then(|r| r.trim().strip_suffix(')'))
            .map(|r| r.trim().to_string())
    };
    let (spec, required) = match inner(spec, "required") {
        Some(i) => (i, true),
        None => (spec.to_string(), false),
    };
    let spec = inner(&spec, "file").unwrap_or(spec);
    if !(spec.len() >= 2 && spec.starts_with('"') && spec.ends_with('"')) {
        return Err(format!(
            "include {spec}: only include \"file\" and include file(\"file\") are supported"
        ));
    }
    Ok((unquote(&spec), required))
}

/// Reads an included file, relative to the including one; a missing file is skipped unless
/// `required(...)`, as in Typesafe Config.
fn include(spec: &str, base: Option<&Path>, depth: u8) -> Result<Vec<(String, String)>, String> {
    let (file, required) = include_target(spec)?;
    let base = base.ok_or_else(|| format!("include {file}: includes need a configuration file"))?;
    if depth >= 8 {
        return Err(format!("include {file}: includes nested too deep"));
    }
    let path = base.join(&file);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_hocon(&text, path.parent(), depth + 1)
            .map_err(|e| format!("in included {}: {e}", path.display())),
        Err(_) if !required => Ok(Vec::new()),
        Err(e) => Err(format!("include {}: {e}", path.display())),
    }
}

fn parse_hocon(
    text: &str,
    base: Option<&Path>,
    depth: u8,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut pending_list: Option<(String, String)> = None;
    let mut pending_block: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if let Some((key, mut acc)) = pending_list.take() {
            acc.push('\n');
            acc.push_str(line);
            if bracket_depth(&acc) <= 0 {
                out.push((key, acc));
            } else {
                pending_list = Some((key, acc));
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if let Some(block) = pending_block.take() {
            if line != "{" {
                return Err(format!("line {}: expected '{{' after '{block}:'", n + 1));
            }
            stack.push(block);
            continue;
        }
        if line == "}" || line == "}," {
            stack
                .pop()
                .ok_or_else(|| format!("line {}: unbalanced '}}'", n + 1))?;
            continue;
        }
        if let Some(spec) = line.strip_prefix("include ") {
            for (k, v) in
                include(spec.trim(), base, depth).map_err(|e| format!("line {}: {e}", n + 1))?
            {
                out.push(match stack.last() {
                    None => (k, v),
                    Some(parent) => (format!("{parent}.{k}"), v),
                });
            }
            continue;
        }
        let sep = line
            .find(['=', ':', '{'])
            .ok_or_else(|| format!("line {}: expected 'key = value' or 'key {{'", n + 1))?;
        let key = line[..sep].trim().trim_matches('"');
        let rest = line[sep..].trim_start_matches(['=', ':']).trim();
        let full = match stack.last() {
            None => key.to_string(),
            Some(parent) => format!("{parent}.{key}"),
        };
        if rest.is_empty() {
            pending_block = Some(full);
        } else if rest.starts_with('{') {
            if rest.ends_with('}') && rest.len() > 1 {
                // Inline object: `a { b = 1 }` is rare in kairosdb.conf; store it raw.
                out.push((full, rest.to_string()));
            } else {
                stack.push(full);
            }
        } else if rest.starts_with('[') && bracket_depth(rest) > 0 {
            pending_list = Some((full, rest.to_string()));
        } else {
            out.push((full, unquote(rest)));
        }
    }
    if !stack.is_empty() {
        return Err(format!(
            "unclosed block '{}'",
            stack.last().map(String::as_str).unwrap_or("")
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hocon_blocks_and_dotted_keys() {
        let text = r#"
# comment
kairosdb {
  jetty {
    port: 8081   // trailing
    address = "127.0.0.1"
  }
  telnetserver.max_command_size = 4096
  datastore.cassandra.write_cluster {
    cql_host_list: ["a", "b"]
  }
}
kairosdb.queries.regex_prefix = "re#x:"
"#;
        let kv = parse_text(text, Format::Hocon).unwrap();
        assert!(kv.contains(&("kairosdb.jetty.port".into(), "8081".into())));
        assert!(kv.contains(&("kairosdb.jetty.address".into(), "127.0.0.1".into())));
        assert!(kv.contains(&(
            "kairosdb.telnetserver.max_command_size".into(),
            "4096".into()
        )));
        assert!(kv.contains(&(
            "kairosdb.datastore.cassandra.write_cluster.cql_host_list".into(),
            r#"["a", "b"]"#.into()
        )));
        assert!(kv.contains(&("kairosdb.queries.regex_prefix".into(), "re#x:".into())));
    }

    #[test]
    fn java_config_test_files_agree() {
        // The inputs of the Java config loader's unit tests (shared/conformance/unit/config.*).
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/unit");
        let want: Vec<(String, String)> = [
            ("key1", "value1"),
            ("key2", "value2"),
            ("object.key1", "value3"),
            ("object.key2", "value4"),
            ("object.inner_object.key1", "value5"),
            ("object.inner_object.key2", "value6"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for file in ["config.conf", "config.properties", "config.json"] {
            let mut got = parse_file(&dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            got.sort();
            let mut want = want.clone();
            want.sort();
            assert_eq!(got, want, "{file}");
        }
    }

    #[test]
    fn properties() {
        let kv = parse_text(
            "# c\nkairosdb.jetty.port=9\n\nkairosdb.jetty.address = 1.2.3.4\n",
            Format::Properties,
        )
        .unwrap();
        assert_eq!(
            kv,
            vec![
                ("kairosdb.jetty.port".into(), "9".into()),
                ("kairosdb.jetty.address".into(), "1.2.3.4".into())
            ]
        );
    }

    #[test]
    fn includes_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("extra.conf"), "jetty.port = 9\n").unwrap();
        std::fs::write(
            dir.path().join("kairosdb.conf"),
            "kairosdb {\n  include file(\"extra.conf\")\n  include \"missing.conf\"\n}\n",
        )
        .unwrap();
        let kv = parse_file(&dir.path().join("kairosdb.conf")).unwrap();
        assert_eq!(
            kv,
            vec![("kairosdb.jetty.port".to_string(), "9".to_string())]
        );
        std::fs::write(
            dir.path().join("bad.conf"),
            "include required(file(\"missing.conf\"))\n",
        )
        .unwrap();
        let e = parse_file(&dir.path().join("bad.conf")).unwrap_err();
        assert!(e.to_string().contains("missing.conf"), "{e}");
        assert!(parse_text("include url(\"http://x\")\n", Format::Hocon).is_err());
    }

    #[test]
    fn lists_of_objects() {
        let text = "a {\n  clusters: [\n    {\n      name: \"x]\"\n      hosts: [\"h\"]\n    }\n  ]\n  b = 1\n}\n";
        let kv = parse_text(text, Format::Hocon).unwrap();
        assert_eq!(kv.len(), 2, "{kv:?}");
        assert!(
            kv[0].0 == "a.clusters" && kv[0].1.contains("hosts"),
            "{kv:?}"
        );
        assert_eq!(kv[1], ("a.b".into(), "1".into()));
    }

    #[test]
    fn unbalanced_is_an_error() {
        assert!(parse_text("a {\n b = 1\n", Format::Hocon).is_err());
        assert!(parse_text("}\n", Format::Hocon).is_err());
    }
}
