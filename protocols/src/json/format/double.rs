//! Java `Double.toString` and org.json `JSONObject.numberToString` for doubles.
//!
//! Digits are the shortest round-trip digits (`ryu`); JDK 8's `FloatingDecimal` agrees with
//! them for every tested value in [1e-6, 1e16) and sometimes prints one more digit outside
//! that range (e.g. `2e23` is `1.9999999999999998E23` in Java). Only `Double.MIN_VALUE`,
//! whose Java text is a published constant (`4.9E-324`), is special-cased.

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

/// org.json `numberToString` of a double: `Double.toString`, then trailing zeros and a
/// trailing dot removed when the text has a `.` and no exponent.
pub fn java_number_text(v: f64) -> String {
    let mut s = java_double_to_string(v);
    if s.contains('.') && !s.contains(['e', 'E']) {
        let keep = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(keep);
    }
    s
}
