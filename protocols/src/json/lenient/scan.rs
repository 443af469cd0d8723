//! Byte-level scanning under the reader: positions, comments, quoted strings, locations.

use std::borrow::Cow;

/// A scanning failure below the token level.
#[derive(Debug)]
pub(crate) enum ScanError {
    /// A `MalformedJsonException` text (location added by the reader).
    Syntax(&'static str),
    /// A bad `\u` escape: Java throws `NumberFormatException("\\uXXXX")`.
    BadEscape(String),
}

/// Gson's `isLiteral` for the chars that never need leniency checks.
pub(crate) fn is_literal_byte(c: u8) -> bool {
    !matches!(
        c,
        b'/' | b'\\'
            | b';'
            | b'#'
            | b'='
            | b'{'
            | b'}'
            | b'['
            | b']'
            | b':'
            | b','
            | b' '
            | b'\t'
            | 0x0C
            | b'\r'
            | b'\n'
    )
}

/// The input and the current byte position.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    /// Byte offset of the next unread byte.
    pub pos: usize,
    /// Bytes of a leading byte order mark (skipped, as Gson's `fillBuffer` does).
    bom: usize,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `text`, past a leading BOM.
    pub fn new(text: &'a str) -> Self {
        let bom = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        Scanner {
            text,
            pos: bom,
            bom,
        }
    }

    /// The byte at `i`, if any.
    #[inline]
    pub fn byte_at(&self, i: usize) -> Option<u8> {
        self.text.as_bytes().get(i).copied()
    }

    /// The unread rest.
    pub fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// `text[from..to]`; empty if the range does not fall on char boundaries.
    pub fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or_default()
    }

    /// Gson's ` at line L column C` for the current position (columns count UTF-16 units).
    pub fn location(&self) -> String {
        let bytes = self.text.as_bytes();
        let pos = self.pos.min(bytes.len());
        let before = &bytes[..pos];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = match before.iter().rposition(|&b| b == b'\n') {
            Some(i) => i + 1,
            None => self.bom.min(pos),
        };
        let units: usize = bytes[line_start..pos]
            .iter()
            .map(|&b| match b {
                0x80..=0xBF => 0,
                0xF0..=0xFF => 2,
                _ => 1,
            })
            .sum();
        format!(" at line {line} column {}", units + 1)
    }

    /// Gson `skipTo`: moves to the start of `pat`; on failure stops before the last char.
    pub fn skip_to(&mut self, pat: &[u8]) -> bool {
        let bytes = self.text.as_bytes();
        if let Some(i) = bytes[self.pos.min(bytes.len())..]
            .windows(pat.len())
            .position(|w| w == pat)
        {
            self.pos += i;
            return true;
        }
        let mut last = bytes.len().saturating_sub(1);
        while last > 0 && !self.text.is_char_boundary(last) {
            last -= 1;
        }
        self.pos = self.pos.max(last);
        false
    }

    /// Gson `skipToEndOfLine`: past the next `\n`, or up to just after a `\r`.
    pub fn skip_to_end_of_line(&mut self) {
        while let Some(c) = self.byte_at(self.pos) {
            self.pos += 1;
            if c == b'\n' || c == b'\r' {
                break;
            }
        }
    }

    /// Reads a quoted string whose opening quote is consumed; `build` false only validates.
    pub fn quoted(&mut self, quote: u8, build: bool) -> Result<Option<Cow<'a, str>>, ScanError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut i = start;
        while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\\' {
            i += 1;
        }
        if i == bytes.len() {
            self.pos = i;
            return Err(ScanError::Syntax("Unterminated string"));
        }
        if bytes[i] == quote {
            self.pos = i + 1;
            return Ok(build.then(|| Cow::Borrowed(self.slice(start, i))));
        }
        // Slow path: escapes.
        let mut out = Utf16Sink::new(build, i - start + 16);
        out.push_str(self.slice(start, i));
        self.pos = i;
        loop {
            let Some(c) = self.byte_at(self.pos) else {
                return Err(ScanError::Syntax("Unterminated string"));
            };
            if c == quote {
                self.pos += 1;
                return Ok(out.finish());
            }
            if c == b'\\' {
                self.pos += 1;
                self.escape(&mut out)?;
                continue;
            }
            let run_start = self.pos;
            while self
                .byte_at(self.pos)
                .is_some_and(|b| b != quote && b != b'\\')
            {
                self.pos += 1;
            }
            out.push_str(self.slice(run_start, self.pos));
        }
    }

    /// Gson `readEscapeCharacter`, after the backslash.
    fn escape(&mut self, out: &mut Utf16Sink) -> Result<(), ScanError> {
        let Some(c) = self.text.get(self.pos..).and_then(|r| r.chars().next()) else {
            return Err(ScanError::Syntax("Unterminated escape sequence"));
        };
        self.pos += c.len_utf8();
        match c {
            'u' => {
                let rest = self.text.get(self.pos..).unwrap_or_default();
                let hex: String = rest.chars().take(4).collect();
                if hex.chars().count() < 4 {
                    return Err(ScanError::Syntax("Unterminated escape sequence"));
                }
                let unit = u16::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| ScanError::BadEscape(format!("\\u{hex}")))?;
                self.pos += hex.len();
                out.push_unit(unit);
            }
            't' => out.push_char('\t'),
            'b' => out.push_char('\u{8}'),
            'n' => out.push_char('\n'),
            'r' => out.push_char('\r'),
            'f' => out.push_char('\u{C}'),
            other => out.push_char(other),
        }
        Ok(())
    }
}

/// Collects string content, pairing `\uD800`-style surrogate escapes (lone ones become U+FFFD).
struct Utf16Sink {
    out: Option<String>,
    high: Option<u16>,
}

impl Utf16Sink {
    fn new(build: bool, cap: usize) -> Self {
        Utf16Sink {
            out: build.then(|| String::with_capacity(cap)),
            high: None,
        }
    }

    fn flush_high(&mut self) {
        if self.high.take().is_some() {
            if let Some(o) = &mut self.out {
                o.push('\u{FFFD}');
            }
        }
    }

    fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.flush_high();
        if let Some(o) = &mut self.out {
            o.push_str(s);
        }
    }

    fn push_char(&mut self, c: char) {
        self.flush_high();
        if let Some(o) = &mut self.out {
            o.push(c);
        }
    }

    fn push_unit(&mut self, u: u16) {
        match u {
            0xD800..=0xDBFF => {
                self.flush_high();
                self.high = Some(u);
            }
            0xDC00..=0xDFFF => {
                let c = match self.high.take() {
                    Some(h) => {
                        char::from_u32(0x10000 + ((h as u32 - 0xD800) << 10) + (u as u32 - 0xDC00))
                    }
                    None => None,
                };
                if let Some(o) = &mut self.out {
                    o.push(c.unwrap_or('\u{FFFD}'));
                }
            }
            _ => self.push_char(char::from_u32(u as u32).unwrap_or('\u{FFFD}')),
        }
    }

    fn finish(mut self) -> Option<Cow<'static, str>> {
        self.flush_high();
        self.out.map(Cow::Owned)
    }
}
