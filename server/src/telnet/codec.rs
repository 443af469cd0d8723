//! Line framing with a length limit: lines end in `\n` (a preceding `\r` is stripped); a line
//! longer than the limit is dropped up to its newline, like Netty's non-fail-fast
//! `DelimiterBasedFrameDecoder`.

use bytes::{Buf, BytesMut};

/// One framed line.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A whole line without its delimiter.
    Complete(BytesMut),
    /// A line that exceeded the limit (its length so far), already discarded.
    TooLong(usize),
}

/// Takes the next line out of `buf`; `None` when more bytes are needed. `discarding` carries
/// the state of an over-long line across reads.
pub fn next_line(buf: &mut BytesMut, max: usize, discarding: &mut bool) -> Option<Line> {
    loop {
        match memchr::memchr(b'\n', buf) {
            Some(pos) => {
                let mut line = buf.split_to(pos + 1);
                line.truncate(pos);
                if line.last() == Some(&b'\r') {
                    line.truncate(pos - 1);
                }
                if std::mem::take(discarding) {
                    // The tail of a line already reported as too long.
                    continue;
                }
                if line.len() > max {
                    return Some(Line::TooLong(line.len()));
                }
                return Some(Line::Complete(line));
            }
            None => {
                if buf.len() > max && !*discarding {
                    let len = buf.len();
                    buf.advance(len);
                    *discarding = true;
                    return Some(Line::TooLong(len));
                }
                if *discarding {
                    let len = buf.len();
                    buf.advance(len);
                }
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[&[u8]], max: usize) -> Vec<Line> {
        let mut buf = BytesMut::new();
        let mut discarding = false;
        let mut out = Vec::new();
        for chunk in input {
            buf.extend_from_slice(chunk);
            while let Some(l) = next_line(&mut buf, max, &mut discarding) {
                out.push(l);
            }
        }
        out
    }

    fn complete(s: &str) -> Line {
        Line::Complete(BytesMut::from(s.as_bytes()))
    }

    #[test]
    fn splits_on_newline_and_crlf() {
        assert_eq!(
            lines(&[b"a b\r\nc", b"d\n\n"], 100),
            vec![complete("a b"), complete("cd"), complete("")]
        );
    }

    #[test]
    fn unterminated_tail_is_not_a_line() {
        assert_eq!(lines(&[b"put m 1 1 a=b"], 100), vec![]);
    }

    #[test]
    fn long_lines_are_dropped_and_the_next_goes_through() {
        let long = vec![b'x'; 50];
        let got = lines(&[&long[..30], &long[30..], b"\nok\n"], 20);
        assert_eq!(got, vec![Line::TooLong(30), complete("ok")]);
        let got = lines(&[&long, b"\nok\n"], 20);
        assert_eq!(got, vec![Line::TooLong(50), complete("ok")]);
        let got = lines(&[b"0123456789012345678901234\nok\n"], 20);
        assert_eq!(got, vec![Line::TooLong(25), complete("ok")]);
    }
}
