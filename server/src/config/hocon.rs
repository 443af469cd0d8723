//! The HOCON that `kairosdb.conf` files use, read into flat `(dotted.key, value)` pairs:
//! objects (`key { }`, `key = { }`, `key: { }`), dotted keys, `=`/`:` separators, values ended
//! by a newline or a comma, `#` and `//` comments, quoted and unquoted strings, and arrays that
//! may span lines and hold objects (the Java file's `read_clusters` example).
//!
//! Arrays of scalars are kept as one value in list form (`["a", "b"]`), which the list keys
//! parse; the objects of an array become `key.0.field`, `key.1.field`, ... Substitutions
//! (`${...}`) and `include` are not part of the Java files and are refused.

/// Parses HOCON text; errors name the line.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        out: Vec::new(),
    };
    p.skip_space(true);
    if p.peek() == Some(b'{') {
        p.i += 1;
        p.object("", Some(b'}'))?;
    } else {
        p.object("", None)?;
    }
    p.skip_space(true);
    if p.i < p.s.len() {
        return Err(p.err("unexpected text after the end of the root object"));
    }
    Ok(p.out)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    out: Vec<(String, String)>,
}

/// A parsed value: a scalar (raw text, unquoted) or a list kept in list form.
enum Scalar {
    Text(String),
    Quoted(String),
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn err(&self, what: &str) -> String {
        let line = self.text[..self.i.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        format!("line {line}: {what}")
    }

    /// Skips blanks and comments; newlines too when `newlines`.
    fn skip_space(&mut self, newlines: bool) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' if newlines => self.i += 1,
                b'#' => self.skip_comment(),
                b'/' if self.s.get(self.i + 1) == Some(&b'/') => self.skip_comment(),
                _ => break,
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'\n' {
                break;
            }
            self.i += 1;
        }
    }

    /// Members until `close` (or the end of the text at the root).
    fn object(&mut self, prefix: &str, close: Option<u8>) -> Result<(), String> {
        loop {
            self.skip_space(true);
            while self.peek() == Some(b',') {
                self.i += 1;
                self.skip_space(true);
            }
            match (self.peek(), close) {
                (None, None) => return Ok(()),
                (None, Some(_)) => return Err(self.err("unclosed '{'")),
                (Some(c), Some(want)) if c == want => {
                    self.i += 1;
                    return Ok(());
                }
                _ => {}
            }
            let key = self.key()?;
            if key == "include" {
                return Err(self.err("'include' is not supported"));
            }
            let full = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            self.skip_space(false);
            match self.peek() {
                Some(b'=') | Some(b':') => {
                    self.i += 1;
                    self.skip_space(false);
                }
                Some(b'{') => {}
                _ => return Err(self.err("expected 'key = value' or 'key {'")),
            }
            self.value(&full)?;
        }
    }

    /// A key path: unquoted segments joined by dots; a quoted segment that holds a dot keeps
    /// its quotes so that it stays one segment.
    fn key(&mut self) -> Result<String, String> {
        let mut key = String::new();
        loop {
            match self.peek() {
                Some(b'"') => {
                    let seg = self.quoted()?;
                    if seg.contains('.') {
                        key.push('"');
                        key.push_str(&seg);
                        key.push('"');
                    } else {
                        key.push_str(&seg);
                    }
                }
                Some(c) if !b" \t\r\n=:{}[],#\"".contains(&c) => {
                    let Some(ch) = self.text[self.i..].chars().next() else {
                        break;
                    };
                    key.push(ch);
                    self.i += ch.len_utf8();
                }
                _ => break,
            }
        }
        if key.is_empty() {
            return Err(self.err("expected a key"));
        }
        Ok(key)
    }

    fn value(&mut self, key: &str) -> Result<(), String> {
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                self.object(key, Some(b'}'))
            }
            Some(b'[') => {
                self.i += 1;
                self.array(key)
            }
            _ => {
                let v = match self.scalar()? {
                    Scalar::Text(t) | Scalar::Quoted(t) => t,
                };
                self.out.push((key.to_string(), v));
                Ok(())
            }
        }
    }

    fn array(&mut self, key: &str) -> Result<(), String> {
        let mut items: Vec<String> = Vec::new();
        let mut objects = 0usize;
        loop {
            self.skip_space(true);
            match self.peek() {
                None => return Err(self.err("unclosed '['")),
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                Some(b',') => self.i += 1,
                Some(b'{') => {
                    self.i += 1;
                    self.object(&format!("{key}.{objects}"), Some(b'}'))?;
                    objects += 1;
                }
                Some(b'[') => return Err(self.err("nested arrays are not supported")),
                Some(_) => items.push(match self.scalar()? {
                    Scalar::Quoted(s) => {
                        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
                    }
                    Scalar::Text(t) => t,
                }),
            }
        }
        if objects == 0 {
            self.out
                .push((key.to_string(), format!("[{}]", items.join(", "))));
        }
        Ok(())
    }

    /// A quoted string, or unquoted text up to a newline, comma, bracket or comment.
    fn scalar(&mut self) -> Result<Scalar, String> {
        if self.peek() == Some(b'"') {
            let s = self.quoted()?;
            // `"a" "b"` concatenation is not used by the Java files; trailing text is an error.
            return Ok(Scalar::Quoted(s));
        }
        let start = self.i;
        while let Some(c) = self.peek() {
            let comment = c == b'#' || (c == b'/' && self.s.get(self.i + 1) == Some(&b'/'));
            if b"\n,]}".contains(&c) || comment {
                break;
            }
            self.i += 1;
        }
        let t = self.text[start..self.i].trim();
        if t.starts_with("${") {
            return Err(self.err("substitutions (${...}) are not supported"));
        }
        if t.is_empty() {
            return Err(self.err("expected a value"));
        }
        Ok(Scalar::Text(t.to_string()))
    }

    fn quoted(&mut self) -> Result<String, String> {
        if self.s[self.i..].starts_with(b"\"\"\"") {
            let body = self.i + 3;
            let end = self.text[body..]
                .find("\"\"\"")
                .ok_or_else(|| self.err("unclosed '\"\"\"'"))?;
            self.i = body + end + 3;
            return Ok(self.text[body..body + end].to_string());
        }
        self.i += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.i..];
            let Some(c) = rest.chars().next() else {
                return Err(self.err("unclosed '\"'"));
            };
            self.i += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\n' => {
                    self.i -= 1;
                    return Err(self.err("unclosed '\"'"));
                }
                '\\' => {
                    let Some(e) = self.text[self.i..].chars().next() else {
                        return Err(self.err("unclosed '\"'"));
                    };
                    self.i += e.len_utf8();
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                }
                c => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests;
