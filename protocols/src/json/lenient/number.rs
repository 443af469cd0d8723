//! Java number parsing as the JDK 8 does it, with the JDK's error texts.
//!
//! Shared by the JSON readers (Gson calls these JDK methods) and the telnet commands.
//! Errors are the `NumberFormatException` messages, without the class name.

/// First code point of each block of ten BMP decimal digits (Unicode `Nd`): Java
/// `Character.isDigit(char)` and `Character.digit(char, 10)` accept all of them.
const DIGIT_ZEROS: [u32; 37] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

/// Java `Character.digit(c, 10)` for a `char` (UTF-16 unit): the digit value of a BMP `Nd` char.
pub(crate) fn java_digit(c: char) -> Option<u32> {
    let cp = c as u32;
    if c.is_ascii() {
        return c.to_digit(10);
    }
    // Supplementary digits are surrogate pairs in Java, which `digit(char)` refuses.
    if cp > 0xFFFF {
        return None;
    }
    let i = DIGIT_ZEROS.partition_point(|&z| z <= cp);
    let zero = DIGIT_ZEROS[i.checked_sub(1)?];
    (cp - zero < 10).then_some(cp - zero)
}

fn for_input(s: &str) -> String {
    format!("For input string: \"{s}\"")
}

/// Java `Long.parseLong(s)`: optional `+`/`-`, then decimal digits (any BMP `Nd`), no overflow.
pub(crate) fn parse_long(s: &str) -> Result<i64, String> {
    parse_signed(s, i64::MIN, i64::MAX).ok_or_else(|| for_input(s))
}

/// Java `Integer.parseInt(s)`: like [`parse_long`] with the `int` range.
pub(crate) fn parse_int(s: &str) -> Result<i32, String> {
    parse_signed(s, i32::MIN as i64, i32::MAX as i64)
        .map(|v| v as i32)
        .ok_or_else(|| for_input(s))
}

fn parse_signed(s: &str, min: i64, max: i64) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut acc: i64 = 0;
    for c in digits.chars() {
        let d = java_digit(c)? as i64;
        acc = acc.checked_mul(10)?.checked_sub(d)?;
        if acc < min {
            return None;
        }
    }
    let v = if neg { acc } else { acc.checked_neg()? };
    (v <= max).then_some(v)
}

/// Java `Double.parseDouble(s)` (JDK 8 `FloatingDecimal`): trims chars `<= ' '`, accepts
/// `NaN`, `Infinity`, hex floats and an `f`/`F`/`d`/`D` suffix; errors `empty String`,
/// `multiple points` or `For input string: "<trimmed>"`.
pub(crate) fn parse_double(s: &str) -> Result<f64, String> {
    let t = s.trim_matches(|c: char| c <= ' ');
    if t.is_empty() {
        return Err("empty String".to_string());
    }
    let b = t.as_bytes();
    let mut i = 0;
    let neg = match b[0] {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let rest = &t[i..];
    let signed = |v: f64| if neg { -v } else { v };
    if rest.starts_with('N') || rest.starts_with('I') {
        return match rest {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(signed(f64::INFINITY)),
            _ => Err(for_input(t)),
        };
    }
    if rest.len() > 1 && rest.as_bytes()[0] == b'0' && matches!(rest.as_bytes()[1], b'x' | b'X') {
        return parse_hex(&rest[2..])
            .map(signed)
            .ok_or_else(|| for_input(t));
    }
    let end = scan_decimal(b, i).map_err(|e| e.unwrap_or_else(|| for_input(t)))?;
    // The grammar is checked; Rust's parser is correctly rounded like the JDK 8 one.
    t[..end].parse::<f64>().map_err(|_| for_input(t))
}

/// Checks the decimal grammar from `i`; returns the end of the number without its suffix.
/// `Err(Some(_))` carries `multiple points`, `Err(None)` the generic message.
fn scan_decimal(b: &[u8], mut i: usize) -> Result<usize, Option<String>> {
    let len = b.len();
    let mut dot = false;
    let mut digits = 0;
    while i < len {
        match b[i] {
            b'0'..=b'9' => digits += 1,
            b'.' if dot => return Err(Some("multiple points".to_string())),
            b'.' => dot = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return Err(None);
    }
    if i < len && matches!(b[i], b'e' | b'E') {
        i += 1;
        if i < len && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        let at = i;
        while i < len && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == at {
            return Err(None);
        }
    }
    let suffix = i == len - 1 && matches!(b[i], b'f' | b'F' | b'd' | b'D');
    if i == len || suffix {
        Ok(i)
    } else {
        Err(None)
    }
}

/// The part of a Java hex float after `0x`: `h[.h]p[+-]d[fFdD]`; `None` when malformed.
fn parse_hex(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut mantissa: u64 = 0;
    let mut exp: i64 = 0;
    let (mut seen, mut dot) = (false, false);
    while i < b.len() {
        let c = b[i];
        if c == b'.' && !dot {
            dot = true;
        } else if let Some(d) = (c as char).to_digit(16) {
            seen = true;
            if mantissa >> 60 == 0 {
                mantissa = (mantissa << 4) | d as u64;
                if dot {
                    exp -= 4;
                }
            } else if !dot {
                exp += 4;
            }
        } else {
            break;
        }
        i += 1;
    }
    if !seen || i >= b.len() || !matches!(b[i], b'p' | b'P') {
        return None;
    }
    i += 1;
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let at = i;
    let mut e: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        e = (e * 10 + (b[i] - b'0') as i64).min(1 << 20);
        i += 1;
    }
    if i == at || !(i == b.len() || (i == b.len() - 1 && matches!(b[i], b'f' | b'F' | b'd' | b'D')))
    {
        return None;
    }
    let total = exp + if neg { -e } else { e };
    // Scale in steps so that intermediate powers stay finite.
    let mut v = mantissa as f64;
    let mut k = total;
    while k != 0 && v != 0.0 && v.is_finite() {
        let step = k.clamp(-1000, 1000);
        v *= 2f64.powi(step as i32);
        k -= step;
    }
    Some(v)
}

/// Java `new BigDecimal(text).longValue()` for a JSON number literal: the integral part,
/// truncated toward zero, wrapped to its low 64 bits.
pub(crate) fn big_decimal_long(text: &str) -> Result<i64, String> {
    let b = text.as_bytes();
    let (neg, start) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut digits: Vec<u8> = Vec::with_capacity(b.len());
    let mut frac = 0i64;
    let mut dot = false;
    let mut i = start;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        if b[i] == b'.' {
            dot = true;
        } else {
            digits.push(b[i] - b'0');
            if dot {
                frac += 1;
            }
        }
        i += 1;
    }
    let mut exp: i64 = 0;
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let e = &text[i + 1..];
        exp = e
            .strip_prefix('+')
            .unwrap_or(e)
            .parse::<i64>()
            .ok()
            .filter(|v| i32::try_from(*v).is_ok())
            .ok_or_else(|| "Exponent overflow.".to_string())?;
    } else if i != b.len() || digits.is_empty() {
        return Err(String::new());
    }
    // value = digits * 10^(exp - frac); keep the integral digits only.
    let shift = exp - frac;
    let keep = if shift < 0 {
        (digits.len() as i64 + shift).max(0) as usize
    } else {
        digits.len()
    };
    let mut acc: u64 = 0;
    for &d in &digits[..keep] {
        acc = acc.wrapping_mul(10).wrapping_add(d as u64);
    }
    // Beyond 64 factors of ten the low 64 bits are all zero (10^64 is a multiple of 2^64).
    for _ in 0..shift.clamp(0, 64) {
        acc = acc.wrapping_mul(10);
    }
    let v = acc as i64;
    Ok(if neg { v.wrapping_neg() } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_follows_long_parse_long() {
        assert_eq!(parse_long("123"), Ok(123));
        assert_eq!(parse_long("+5"), Ok(5));
        assert_eq!(parse_long("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_long("٣٤"), Ok(34));
        for bad in ["", "-", "+", "1.5", "9223372036854775808", " 1", "1e3"] {
            assert_eq!(parse_long(bad), Err(format!("For input string: \"{bad}\"")));
        }
        assert_eq!(parse_int("+600"), Ok(600));
        assert!(parse_int("2147483648").is_err());
    }

    #[test]
    fn double_follows_double_parse_double() {
        let ok = [
            ("1.5", 1.5),
            (".5", 0.5),
            ("1.", 1.0),
            ("1.5e3", 1500.0),
            ("1.5d", 1.5),
            ("2f", 2.0),
            (" 12 ", 12.0),
            ("-2.0", -2.0),
            ("0x1.8p1", 3.0),
            ("0X10P0", 16.0),
            ("-Infinity", f64::NEG_INFINITY),
            ("1.0e400", f64::INFINITY),
        ];
        for (s, v) in ok {
            assert_eq!(parse_double(s), Ok(v), "{s}");
        }
        assert!(parse_double("NaN").is_ok_and(f64::is_nan));
        assert_eq!(parse_double(""), Err("empty String".into()));
        assert_eq!(parse_double(".5.5"), Err("multiple points".into()));
        assert_eq!(parse_double("0.7.1"), Err("multiple points".into()));
        for bad in ["nan", "inf", "1e", ".", "1.5x", "0x1.8", "abc", "1dd"] {
            assert_eq!(
                parse_double(bad),
                Err(format!("For input string: \"{bad}\""))
            );
        }
    }

    #[test]
    fn big_decimal_truncates_and_wraps() {
        assert_eq!(big_decimal_long("1e3"), Ok(1000));
        assert_eq!(big_decimal_long("1E-3"), Ok(0));
        assert_eq!(big_decimal_long("-1.9"), Ok(-1));
        assert_eq!(big_decimal_long("12.5e1"), Ok(125));
        assert_eq!(big_decimal_long("9223372036854775808"), Ok(i64::MIN));
        assert_eq!(big_decimal_long("18446744073709551617"), Ok(1));
        assert_eq!(big_decimal_long("1e400"), Ok(0));
        assert_eq!(
            big_decimal_long("1e9999999999"),
            Err("Exponent overflow.".into())
        );
    }
}
