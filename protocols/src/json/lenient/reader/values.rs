//! Reading values: names, strings, numbers, booleans, nulls, and skipping.

use std::borrow::Cow;

use super::{
    is_literal_byte, number, ErrorKind, NumberText, Peeked, ReadError, Reader, Res, Scope,
};

impl<'a> Reader<'a> {
    /// `nextName()`.
    pub fn next_name(&mut self) -> Res<Cow<'a, str>> {
        let name = match self.ensure_peeked()? {
            Peeked::UnquotedName => self.next_unquoted()?,
            Peeked::SingleQuotedName => self.next_quoted(b'\'')?,
            Peeked::DoubleQuotedName => self.next_quoted(b'"')?,
            _ => return Err(self.unexpected("a name")),
        };
        self.peeked = Peeked::None;
        Ok(name)
    }

    /// Gson's `promoteNameToValue`: the pending name is read next as a string value.
    pub fn promote_name_to_value(&mut self) -> Res<()> {
        self.peeked = match self.ensure_peeked()? {
            Peeked::DoubleQuotedName => Peeked::DoubleQuoted,
            Peeked::SingleQuotedName => Peeked::SingleQuoted,
            Peeked::UnquotedName => Peeked::Unquoted,
            _ => return Err(self.unexpected("a name")),
        };
        Ok(())
    }

    /// `nextString()` for string tokens only; numbers go through [`Self::next_number`].
    pub fn next_string(&mut self) -> Res<Cow<'a, str>> {
        let v = match self.ensure_peeked()? {
            Peeked::Unquoted => self.next_unquoted()?,
            Peeked::SingleQuoted => self.next_quoted(b'\'')?,
            Peeked::DoubleQuoted => self.next_quoted(b'"')?,
            Peeked::Long | Peeked::Number => match self.next_number()? {
                NumberText::Long(v) => Cow::Owned(v.to_string()),
                NumberText::Text(t) => Cow::Borrowed(t),
            },
            _ => return Err(self.unexpected("a string")),
        };
        self.peeked = Peeked::None;
        Ok(v)
    }

    /// A number token (`nextString()` on a NUMBER), without formatting longs.
    pub fn next_number(&mut self) -> Res<NumberText<'a>> {
        let v = match self.ensure_peeked()? {
            Peeked::Long => NumberText::Long(self.peeked_long),
            Peeked::Number => {
                let t = self
                    .s
                    .slice(self.s.pos, self.s.pos + self.peeked_number_len);
                self.s.pos += self.peeked_number_len;
                NumberText::Text(t)
            }
            _ => return Err(self.unexpected("a number")),
        };
        self.peeked = Peeked::None;
        Ok(v)
    }

    /// `nextBoolean()`.
    pub fn next_boolean(&mut self) -> Res<bool> {
        let v = match self.ensure_peeked()? {
            Peeked::True => true,
            Peeked::False => false,
            _ => return Err(self.unexpected("a boolean")),
        };
        self.peeked = Peeked::None;
        Ok(v)
    }

    /// `nextNull()`.
    pub fn next_null(&mut self) -> Res<()> {
        if self.ensure_peeked()? != Peeked::Null {
            return Err(self.unexpected("null"));
        }
        self.peeked = Peeked::None;
        Ok(())
    }

    /// Gson `nextLong()`: longs, integral numbers, quoted integers or integral doubles.
    pub fn next_long(&mut self) -> Res<i64> {
        let text = match self.ensure_peeked()? {
            Peeked::Long => {
                self.peeked = Peeked::None;
                return Ok(self.peeked_long);
            }
            Peeked::Number => self.next_number_text(),
            p @ (Peeked::SingleQuoted | Peeked::DoubleQuoted) => {
                let t = self.next_quoted(if p == Peeked::SingleQuoted {
                    b'\''
                } else {
                    b'"'
                })?;
                if let Ok(v) = number::parse_long(&t) {
                    self.peeked = Peeked::None;
                    return Ok(v);
                }
                t
            }
            _ => return Err(self.unexpected("a long")),
        };
        let d = self.parse_double(&text)?;
        let v = d as i64; // Java (long) cast: saturating, NaN -> 0
        if v as f64 != d {
            return Err(self.err(
                ErrorKind::NumberFormat,
                &format!("Expected a long but was {text}"),
            ));
        }
        self.peeked = Peeked::None;
        Ok(v)
    }

    /// Gson `nextInt()`: like [`Self::next_long`] with the `int` range.
    pub fn next_int(&mut self) -> Res<i32> {
        let text = match self.ensure_peeked()? {
            Peeked::Long => {
                let v = self.peeked_long as i32;
                if v as i64 != self.peeked_long {
                    return Err(self.err(
                        ErrorKind::NumberFormat,
                        &format!("Expected an int but was {}", self.peeked_long),
                    ));
                }
                self.peeked = Peeked::None;
                return Ok(v);
            }
            Peeked::Number => self.next_number_text(),
            p @ (Peeked::SingleQuoted | Peeked::DoubleQuoted) => {
                let t = self.next_quoted(if p == Peeked::SingleQuoted {
                    b'\''
                } else {
                    b'"'
                })?;
                if let Ok(v) = number::parse_int(&t) {
                    self.peeked = Peeked::None;
                    return Ok(v);
                }
                t
            }
            _ => return Err(self.unexpected("an int")),
        };
        let d = self.parse_double(&text)?;
        let v = d as i32;
        if v as f64 != d {
            return Err(self.err(
                ErrorKind::NumberFormat,
                &format!("Expected an int but was {text}"),
            ));
        }
        self.peeked = Peeked::None;
        Ok(v)
    }

    fn next_number_text(&mut self) -> Cow<'a, str> {
        let t = self
            .s
            .slice(self.s.pos, self.s.pos + self.peeked_number_len);
        self.s.pos += self.peeked_number_len;
        Cow::Borrowed(t)
    }

    fn parse_double(&self, text: &str) -> Res<f64> {
        number::parse_double(text).map_err(|msg| ReadError {
            kind: ErrorKind::NumberFormat,
            msg,
        })
    }

    /// `skipValue()`: skips one whole value (iteratively, any depth).
    pub fn skip_value(&mut self) -> Res<()> {
        let mut count = 0usize;
        loop {
            match self.ensure_peeked()? {
                Peeked::BeginArray => {
                    self.stack.push(Scope::EmptyArray);
                    count += 1;
                }
                Peeked::BeginObject => {
                    self.stack.push(Scope::EmptyObject);
                    count += 1;
                }
                Peeked::EndArray | Peeked::EndObject => {
                    self.pop_scope();
                    count = count.saturating_sub(1);
                }
                Peeked::UnquotedName | Peeked::Unquoted => {
                    self.next_unquoted()?;
                }
                Peeked::SingleQuoted | Peeked::SingleQuotedName => {
                    self.skip_quoted(b'\'')?;
                }
                Peeked::DoubleQuoted | Peeked::DoubleQuotedName => {
                    self.skip_quoted(b'"')?;
                }
                Peeked::Number => self.s.pos += self.peeked_number_len,
                _ => {}
            }
            self.peeked = Peeked::None;
            if count == 0 {
                return Ok(());
            }
        }
    }

    fn next_unquoted(&mut self) -> Res<Cow<'a, str>> {
        let start = self.s.pos;
        while let Some(c) = self.s.byte_at(self.s.pos) {
            if matches!(c, b'/' | b'\\' | b';' | b'#' | b'=') {
                self.check_lenient()?;
                break;
            }
            if !is_literal_byte(c) {
                break;
            }
            self.s.pos += 1;
        }
        Ok(Cow::Borrowed(self.s.slice(start, self.s.pos)))
    }

    fn next_quoted(&mut self, quote: u8) -> Res<Cow<'a, str>> {
        self.s
            .quoted(quote, true)
            .map(|v| v.unwrap_or(Cow::Borrowed("")))
            .map_err(|e| self.scan_error(e))
    }

    fn skip_quoted(&mut self, quote: u8) -> Res<()> {
        self.s
            .quoted(quote, false)
            .map(|_| ())
            .map_err(|e| self.scan_error(e))
    }

    fn scan_error(&self, e: crate::json::lenient::scan::ScanError) -> ReadError {
        match e {
            crate::json::lenient::scan::ScanError::Syntax(m) => self.syntax(m),
            crate::json::lenient::scan::ScanError::BadEscape(m) => ReadError {
                kind: ErrorKind::NumberFormat,
                msg: m,
            },
        }
    }
}
