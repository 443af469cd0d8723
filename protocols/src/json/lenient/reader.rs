//! A pull reader with the state machine of Gson 2.2.4's `JsonReader` (strict or lenient).
//!
//! It follows Gson step by step, so that the same input fails at the same place with the same
//! text (`... at line L column C`). Callers switch `lenient` the way Gson's callers do.

mod literal;
mod types;
mod values;

use super::number;
use super::scan::{is_literal_byte, Scanner};
pub(crate) use types::{ErrorKind, NumberText, ReadError, Res, Token};
use types::{Peeked, Scope};

/// The pull reader over a whole UTF-8 document.
pub(crate) struct Reader<'a> {
    s: Scanner<'a>,
    /// Gson `setLenient`.
    pub lenient: bool,
    peeked: Peeked,
    peeked_long: i64,
    peeked_number_len: usize,
    stack: Vec<Scope>,
}

impl<'a> Reader<'a> {
    /// A strict reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            s: Scanner::new(text),
            lenient: false,
            peeked: Peeked::None,
            peeked_long: 0,
            peeked_number_len: 0,
            stack: vec![Scope::EmptyDocument],
        }
    }

    /// The error for nesting too deep, worded like Gson's `JsonParser` wrapping of a
    /// `StackOverflowError`.
    pub fn too_deep(&self) -> ReadError {
        ReadError {
            kind: ErrorKind::TooDeep,
            msg: format!(
                "Failed parsing JSON source: JsonReader{} to Json",
                self.s.location()
            ),
        }
    }

    fn err(&self, kind: ErrorKind, msg: &str) -> ReadError {
        ReadError {
            kind,
            msg: format!("{msg}{}", self.s.location()),
        }
    }

    fn syntax(&self, msg: &str) -> ReadError {
        self.err(ErrorKind::Malformed, msg)
    }

    fn check_lenient(&self) -> Res<()> {
        if self.lenient {
            Ok(())
        } else {
            Err(self.syntax("Use JsonReader.setLenient(true) to accept malformed JSON"))
        }
    }

    /// Leaves the current array or object; the document scope always stays.
    fn pop_scope(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    fn top(&mut self) -> &mut Scope {
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    fn ensure_peeked(&mut self) -> Res<Peeked> {
        if self.peeked == Peeked::None {
            self.do_peek()
        } else {
            Ok(self.peeked)
        }
    }

    fn unexpected(&mut self, expected: &str) -> ReadError {
        match self.peek() {
            Ok(t) => self.err(
                ErrorKind::IllegalState,
                &format!("Expected {expected} but was {}", t.java_name()),
            ),
            Err(e) => e,
        }
    }

    /// `beginArray()`.
    pub fn begin_array(&mut self) -> Res<()> {
        if self.ensure_peeked()? != Peeked::BeginArray {
            return Err(self.unexpected("BEGIN_ARRAY"));
        }
        self.stack.push(Scope::EmptyArray);
        self.peeked = Peeked::None;
        Ok(())
    }

    /// `endArray()`.
    pub fn end_array(&mut self) -> Res<()> {
        if self.ensure_peeked()? != Peeked::EndArray {
            return Err(self.unexpected("END_ARRAY"));
        }
        self.pop_scope();
        self.peeked = Peeked::None;
        Ok(())
    }

    /// `beginObject()`.
    pub fn begin_object(&mut self) -> Res<()> {
        if self.ensure_peeked()? != Peeked::BeginObject {
            return Err(self.unexpected("BEGIN_OBJECT"));
        }
        self.stack.push(Scope::EmptyObject);
        self.peeked = Peeked::None;
        Ok(())
    }

    /// `endObject()`.
    pub fn end_object(&mut self) -> Res<()> {
        if self.ensure_peeked()? != Peeked::EndObject {
            return Err(self.unexpected("END_OBJECT"));
        }
        self.pop_scope();
        self.peeked = Peeked::None;
        Ok(())
    }

    /// `hasNext()`: false at the end of the current array or object.
    pub fn has_next(&mut self) -> Res<bool> {
        let p = self.ensure_peeked()?;
        Ok(p != Peeked::EndObject && p != Peeked::EndArray)
    }

    /// `peek()`.
    pub fn peek(&mut self) -> Res<Token> {
        Ok(match self.ensure_peeked()? {
            Peeked::BeginObject => Token::BeginObject,
            Peeked::EndObject => Token::EndObject,
            Peeked::BeginArray => Token::BeginArray,
            Peeked::EndArray => Token::EndArray,
            Peeked::SingleQuotedName | Peeked::DoubleQuotedName | Peeked::UnquotedName => {
                Token::Name
            }
            Peeked::True | Peeked::False => Token::Boolean,
            Peeked::Null => Token::Null,
            Peeked::SingleQuoted | Peeked::DoubleQuoted | Peeked::Unquoted => Token::String,
            Peeked::Long | Peeked::Number => Token::Number,
            Peeked::Eof | Peeked::None => Token::EndDocument,
        })
    }

    fn set(&mut self, p: Peeked) -> Res<Peeked> {
        self.peeked = p;
        Ok(p)
    }

    /// Gson `doPeek()`: finds the next token, checking separators on the way.
    fn do_peek(&mut self) -> Res<Peeked> {
        let peek_stack = *self.top();
        match peek_stack {
            Scope::EmptyArray => *self.top() = Scope::NonemptyArray,
            Scope::NonemptyArray => match self.next_non_ws()? {
                b']' => return self.set(Peeked::EndArray),
                b';' => self.check_lenient()?,
                b',' => {}
                _ => return Err(self.syntax("Unterminated array")),
            },
            Scope::EmptyObject | Scope::NonemptyObject => {
                *self.top() = Scope::DanglingName;
                if peek_stack == Scope::NonemptyObject {
                    match self.next_non_ws()? {
                        b'}' => return self.set(Peeked::EndObject),
                        b';' => self.check_lenient()?,
                        b',' => {}
                        _ => return Err(self.syntax("Unterminated object")),
                    }
                }
                return match self.next_non_ws()? {
                    b'"' => self.set(Peeked::DoubleQuotedName),
                    b'\'' => {
                        self.check_lenient()?;
                        self.set(Peeked::SingleQuotedName)
                    }
                    b'}' if peek_stack != Scope::NonemptyObject => self.set(Peeked::EndObject),
                    b'}' => Err(self.syntax("Expected name")),
                    c => {
                        self.check_lenient()?;
                        self.s.pos -= 1;
                        if self.is_literal(c)? {
                            self.set(Peeked::UnquotedName)
                        } else {
                            Err(self.syntax("Expected name"))
                        }
                    }
                };
            }
            Scope::DanglingName => {
                *self.top() = Scope::NonemptyObject;
                match self.next_non_ws()? {
                    b':' => {}
                    b'=' => {
                        self.check_lenient()?;
                        if self.s.byte_at(self.s.pos) == Some(b'>') {
                            self.s.pos += 1;
                        }
                    }
                    _ => return Err(self.syntax("Expected ':'")),
                }
            }
            Scope::EmptyDocument => {
                if self.lenient {
                    self.consume_non_execute_prefix()?;
                }
                *self.top() = Scope::NonemptyDocument;
            }
            Scope::NonemptyDocument => match self.next_non_ws_opt()? {
                None => return self.set(Peeked::Eof),
                Some(_) => {
                    self.check_lenient()?;
                    self.s.pos -= 1;
                }
            },
        }
        self.peek_value(peek_stack)
    }

    fn peek_value(&mut self, peek_stack: Scope) -> Res<Peeked> {
        let in_array = matches!(peek_stack, Scope::EmptyArray | Scope::NonemptyArray);
        match self.next_non_ws()? {
            b']' if peek_stack == Scope::EmptyArray => return self.set(Peeked::EndArray),
            // In lenient mode a 0-length literal in an array means null: `[1,,2]`, `[1,]`.
            b']' | b';' | b',' if in_array => {
                self.check_lenient()?;
                self.s.pos -= 1;
                return self.set(Peeked::Null);
            }
            b']' | b';' | b',' => return Err(self.syntax("Unexpected value")),
            b'\'' => {
                self.check_lenient()?;
                return self.set(Peeked::SingleQuoted);
            }
            b'"' => {
                if self.stack.len() == 1 {
                    self.check_lenient()?;
                }
                return self.set(Peeked::DoubleQuoted);
            }
            b'[' => return self.set(Peeked::BeginArray),
            b'{' => return self.set(Peeked::BeginObject),
            _ => self.s.pos -= 1,
        }
        if self.stack.len() == 1 {
            // A top-level value that is neither an array nor an object.
            self.check_lenient()?;
        }
        if let Some(p) = self.peek_keyword()? {
            return self.set(p);
        }
        if let Some(p) = self.peek_number()? {
            return self.set(p);
        }
        let c = self.s.byte_at(self.s.pos).unwrap_or(b' ');
        if !self.is_literal(c)? {
            return Err(self.syntax("Expected value"));
        }
        self.check_lenient()?;
        self.set(Peeked::Unquoted)
    }

    fn is_literal(&self, c: u8) -> Res<bool> {
        if matches!(c, b'/' | b'\\' | b';' | b'#' | b'=') {
            self.check_lenient()?;
            return Ok(false);
        }
        Ok(is_literal_byte(c))
    }

    fn next_non_ws(&mut self) -> Res<u8> {
        match self.next_non_ws_opt()? {
            Some(c) => Ok(c),
            None => Err(self.err(ErrorKind::Eof, "End of input")),
        }
    }

    /// Gson `nextNonWhitespace`: skips blanks and (lenient only) comments; consumes the char.
    fn next_non_ws_opt(&mut self) -> Res<Option<u8>> {
        loop {
            let Some(c) = self.s.byte_at(self.s.pos) else {
                return Ok(None);
            };
            self.s.pos += 1;
            match c {
                b'\n' | b' ' | b'\r' | b'\t' => {}
                b'/' => {
                    let Some(next) = self.s.byte_at(self.s.pos) else {
                        return Ok(Some(c)); // a lone '/' at the very end
                    };
                    self.check_lenient()?;
                    match next {
                        b'*' => {
                            self.s.pos += 1;
                            if !self.s.skip_to(b"*/") {
                                return Err(self.syntax("Unterminated comment"));
                            }
                            self.s.pos += 2;
                        }
                        b'/' => {
                            self.s.pos += 1;
                            self.s.skip_to_end_of_line();
                        }
                        _ => return Ok(Some(c)),
                    }
                }
                b'#' => {
                    self.check_lenient()?;
                    self.s.skip_to_end_of_line();
                }
                _ => return Ok(Some(c)),
            }
        }
    }

    /// Skips the `)]}'\n` prefix Gson tolerates at the start of a lenient document.
    fn consume_non_execute_prefix(&mut self) -> Res<()> {
        self.next_non_ws()?;
        self.s.pos -= 1;
        if self.s.rest().starts_with(b")]}'\n") {
            self.s.pos += 5;
        }
        Ok(())
    }
}
