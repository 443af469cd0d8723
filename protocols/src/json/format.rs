//! JSON output as KairosDB's Java writers produce it, byte for byte (spec http-api §1.4).
//!
//! Three writers exist in Java: org.json `JSONWriter` (query responses and name lists),
//! Jackson (error bodies) and Gson (features, roll-ups). They differ in number formatting
//! and string escaping; each has its own function here.

use plugin_api::{DataPoint, Value};

// ---- Doubles: Java `Double.toString` and org.json `numberToString`.
//
// Digits are the shortest round-trip digits (`ryu`); JDK 8's `FloatingDecimal` agrees with
// them for every tested value in [1e-6, 1e16) and sometimes prints one more digit outside
// that range (e.g. `2e23` is `1.9999999999999998E23` in Java). Only `Double.MIN_VALUE`,
// whose Java text is a published constant (`4.9E-324`), is special-cased.

/// The decimal digits of a finite, non-zero `|v|` and the exponent `e` of `d.ddd × 10^e`.
fn shortest_digits(v: f64) -> (Vec<u8>, i32) {
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(v.abs());
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b.wrapping_sub(b'0'))
        .collect();
    // Position of the decimal point after the first digit of `digits`.
    let mut e = exp + int_part.len() as i32 - 1;
    let lead = digits.iter().take_while(|&&d| d == 0).count();
    digits.drain(..lead);
    e -= lead as i32;
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        digits.push(0);
    }
    (digits, e)
}

fn push_digits(out: &mut String, digits: &[u8]) {
    out.extend(digits.iter().map(|d| (b'0' + d) as char));
}

/// Java `Double.toString(v)`: plain for 1e-3 <= |v| < 1e7, otherwise `d.dddE[-]n`.
pub fn java_double_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    if v == 0.0 {
        out.push_str("0.0");
        return out;
    }
    if v.abs() == f64::from_bits(1) {
        out.push_str("4.9E-324");
        return out;
    }
    let (digits, e) = shortest_digits(v);
    if (-3..7).contains(&e) {
        if e >= 0 {
            let int_len = e as usize + 1;
            for i in 0..int_len {
                out.push((b'0' + digits.get(i).copied().unwrap_or(0)) as char);
            }
            out.push('.');
            if digits.len() > int_len {
                push_digits(&mut out, &digits[int_len..]);
            } else {
                out.push('0');
            }
        } else {
            out.push_str("0.");
            for _ in 0..(-e - 1) {
                out.push('0');
            }
            push_digits(&mut out, &digits);
        }
    } else {
        push_digits(&mut out, &digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            push_digits(&mut out, &digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&e.to_string());
    }
    out
}

/// org.json `numberToString` of a double: `Double.toString`, zeros and dot trimmed unless `E`.
pub fn java_number_text(v: f64) -> String {
    let mut s = java_double_to_string(v);
    if s.contains('.') && !s.contains(['e', 'E']) {
        let keep = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(keep);
    }
    s
}

// ---- Strings and points.

/// org.json `numberToString` of a double (`1.0` → `1`, `1.0E7` kept); pass finite values.
pub fn push_number(out: &mut Vec<u8>, v: f64) {
    // Where Java prints plain decimals, `ryu` prints the same shortest digits the same way
    // but for a trailing `.0`, which org.json trims: no allocation on the common path.
    let a = v.abs();
    if (1e-3..1e7).contains(&a) {
        // Gauges rounded to at most four decimals: when `n / 10^4` (n < 10^11, so at most 15
        // significant digits) rounds to exactly `v`, those digits are the shortest ones.
        let n = (a * 1e4).round();
        if n / 1e4 == a {
            let n = n as u64;
            if v < 0.0 {
                out.push(b'-');
            }
            let mut ibuf = itoa::Buffer::new();
            out.extend_from_slice(ibuf.format(n / 10_000).as_bytes());
            let mut frac = n % 10_000;
            if frac != 0 {
                let mut width = 4;
                while frac.is_multiple_of(10) {
                    frac /= 10;
                    width -= 1;
                }
                out.push(b'.');
                let digits = ibuf.format(frac).as_bytes();
                out.extend(std::iter::repeat_n(b'0', width - digits.len()));
                out.extend_from_slice(digits);
            }
            return;
        }
        let mut buf = ryu::Buffer::new();
        let text = buf.format_finite(v).as_bytes();
        out.extend_from_slice(text.strip_suffix(b".0").unwrap_or(text));
        return;
    }
    out.extend_from_slice(java_number_text(v).as_bytes());
}

/// A Java `long` in decimal.
pub fn push_long(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// `\uXXXX` with lowercase hex, as org.json and Gson write it.
fn push_u_escape(out: &mut Vec<u8>, c: u32, upper: bool) {
    let hex: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(hex[((c >> shift) & 0xF) as usize]);
    }
}

/// The short escape of `\b \t \n \f \r`, `"` and `\`, shared by all three writers.
fn short_escape(c: char) -> Option<&'static [u8]> {
    Some(match c {
        '"' => b"\\\"",
        '\\' => b"\\\\",
        '\u{8}' => b"\\b",
        '\t' => b"\\t",
        '\n' => b"\\n",
        '\u{C}' => b"\\f",
        '\r' => b"\\r",
        _ => return None,
    })
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// org.json `JSONObject.quote`: `</` → `<\/`; controls, U+0080–9F, U+2000–20FF as `\uXXXX`.
pub fn push_quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut prev = '\0';
    for c in s.chars() {
        if let Some(esc) = short_escape(c) {
            out.extend_from_slice(esc);
        } else if c == '/' {
            if prev == '<' {
                out.push(b'\\');
            }
            out.push(b'/');
        } else if c < ' '
            || ('\u{80}'..'\u{a0}').contains(&c)
            || ('\u{2000}'..'\u{2100}').contains(&c)
        {
            push_u_escape(out, c as u32, false);
        } else {
            push_char(out, c);
        }
        prev = c;
    }
    out.push(b'"');
}

/// Gson `JsonWriter` string escaping; `html_safe` adds `<>&='` (a default `Gson.toJson`).
fn push_gson_string(out: &mut Vec<u8>, s: &str, html_safe: bool) {
    out.push(b'"');
    for c in s.chars() {
        if let Some(esc) = short_escape(c) {
            out.extend_from_slice(esc);
        } else if c < ' '
            || c == '\u{2028}'
            || c == '\u{2029}'
            || (html_safe && matches!(c, '<' | '>' | '&' | '=' | '\''))
        {
            push_u_escape(out, c as u32, false);
        } else {
            push_char(out, c);
        }
    }
    out.push(b'"');
}

/// Gson default `toJson` string escaping: HTML-escapes `<>&='`, escapes U+2028/U+2029.
pub fn push_gson_quoted(out: &mut Vec<u8>, s: &str) {
    push_gson_string(out, s, true);
}

/// Gson `JsonElement.toString` string escaping: like [`push_gson_quoted`] without HTML escapes.
pub fn push_gson_plain_quoted(out: &mut Vec<u8>, s: &str) {
    push_gson_string(out, s, false);
}

/// Jackson string escaping: controls as short escapes or `\u00XX` (uppercase hex), rest raw.
pub fn push_jackson_quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        if let Some(esc) = short_escape(c) {
            out.extend_from_slice(esc);
        } else if c < ' ' {
            push_u_escape(out, c as u32, true);
        } else {
            push_char(out, c);
        }
    }
    out.push(b'"');
}

/// Java `DoubleDataPoint.toString` text of a non-finite value, for the 500 message.
fn non_finite_message(v: f64, timestamp: i64) -> String {
    let text = java_double_to_string(v);
    format!("NaN or Infinity:{text} data point=DoubleDataPoint{{m_value={text}, m_timestamp={timestamp}}}")
}

/// One `[timestamp,value]` pair as org.json writes it; NaN/±Infinity → Err with Java's text.
pub fn push_point(out: &mut Vec<u8>, p: &DataPoint) -> Result<(), String> {
    if let Value::Double(v) = p.value {
        if !v.is_finite() {
            return Err(non_finite_message(v, p.timestamp));
        }
    }
    out.push(b'[');
    push_long(out, p.timestamp);
    out.push(b',');
    match &p.value {
        Value::Long(v) => push_long(out, *v),
        Value::Double(v) => push_number(out, *v),
        Value::Text(s) => push_quoted(out, s),
        Value::Null => out.extend_from_slice(b"null"),
    }
    out.push(b']');
    Ok(())
}

/// The Jackson error body `{"errors":["a","b"]}`; `None` is written as `null`.
pub fn errors_body(messages: &[Option<String>]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(16 + messages.iter().flatten().map(String::len).sum::<usize>());
    out.extend_from_slice(b"{\"errors\":[");
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match m {
            Some(s) => push_jackson_quoted(&mut out, s),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests;
