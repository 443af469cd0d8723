//! Reading configuration files: Java `.properties`, JSON, and the HOCON `kairosdb.conf` uses
//! (read by `hocon.rs`), as flat `(dotted.key, value)` pairs.

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
    parse_text(&text, format).map_err(|reason| ConfigError::File {
        path: path.display().to_string(),
        reason,
    })
}

/// Parses configuration text into flat `(dotted.key, value)` pairs.
pub fn parse_text(text: &str, format: Format) -> Result<Vec<(String, String)>, String> {
    match format {
        Format::Properties => Ok(parse_properties(text)),
        Format::Hocon => super::hocon::parse(text),
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
    fn unbalanced_is_an_error() {
        assert!(parse_text("a {\n b = 1\n", Format::Hocon).is_err());
        assert!(parse_text("}\n", Format::Hocon).is_err());
    }
}
