//! Keyword and number literals (Gson `peekKeyword`, `peekNumber`).

use super::{Peeked, Reader, Res};

impl Reader<'_> {
    /// `true`/`false`/`null` in any letter case, not followed by a literal char.
    pub(super) fn peek_keyword(&mut self) -> Res<Option<Peeked>> {
        let (word, p): (&[u8], Peeked) = match self.s.byte_at(self.s.pos) {
            Some(b't' | b'T') => (b"true", Peeked::True),
            Some(b'f' | b'F') => (b"false", Peeked::False),
            Some(b'n' | b'N') => (b"null", Peeked::Null),
            _ => return Ok(None),
        };
        let pos = self.s.pos;
        for (i, &w) in word.iter().enumerate().skip(1) {
            match self.s.byte_at(pos + i) {
                Some(c) if c.eq_ignore_ascii_case(&w) => {}
                _ => return Ok(None),
            }
        }
        if let Some(c) = self.s.byte_at(pos + word.len()) {
            if self.is_literal(c)? {
                return Ok(None); // trues, falsey, nullsoft
            }
        }
        self.s.pos += word.len();
        Ok(Some(p))
    }

    /// Gson `peekNumber()`: a JSON number literal, as a long when it fits.
    pub(super) fn peek_number(&mut self) -> Res<Option<Peeked>> {
        #[derive(PartialEq, Clone, Copy)]
        enum St {
            None,
            Sign,
            Digit,
            Decimal,
            Fraction,
            ExpE,
            ExpSign,
            ExpDigit,
        }
        let start = self.s.pos;
        let mut value: i64 = 0; // negative, to hold Long.MIN_VALUE
        let mut negative = false;
        let mut fits = true;
        let mut last = St::None;
        let mut i = 0;
        loop {
            // Gson's buffer holds 1024 chars; longer numbers are read as unquoted literals.
            if i == 1024 {
                return Ok(None);
            }
            let Some(c) = self.s.byte_at(start + i) else {
                break;
            };
            match c {
                b'-' if last == St::None => {
                    negative = true;
                    last = St::Sign;
                }
                b'-' | b'+' if last == St::ExpE => last = St::ExpSign,
                b'e' | b'E' if last == St::Digit || last == St::Fraction => last = St::ExpE,
                b'.' if last == St::Digit => last = St::Decimal,
                b'-' | b'+' | b'e' | b'E' | b'.' => return Ok(None),
                b'0'..=b'9' => {
                    let d = (c - b'0') as i64;
                    match last {
                        St::Sign | St::None => {
                            value = -d;
                            last = St::Digit;
                        }
                        St::Digit => {
                            if value == 0 {
                                return Ok(None); // leading 0 (could be octal)
                            }
                            let next = value.wrapping_mul(10).wrapping_sub(d);
                            const MIN_INCOMPLETE: i64 = i64::MIN / 10;
                            fits &=
                                value > MIN_INCOMPLETE || (value == MIN_INCOMPLETE && next < value);
                            value = next;
                        }
                        St::Decimal => last = St::Fraction,
                        St::ExpE | St::ExpSign => last = St::ExpDigit,
                        _ => {}
                    }
                }
                _ => {
                    if !self.is_literal(c)? {
                        break;
                    }
                    return Ok(None);
                }
            }
            i += 1;
        }
        if last == St::Digit && fits && (value != i64::MIN || negative) {
            self.peeked_long = if negative {
                value
            } else {
                value.wrapping_neg()
            };
            self.s.pos += i;
            Ok(Some(Peeked::Long))
        } else if matches!(last, St::Digit | St::Fraction | St::ExpDigit) {
            self.peeked_number_len = i;
            Ok(Some(Peeked::Number))
        } else {
            Ok(None)
        }
    }
}
