//! Splitting a telnet line into words (TELNET/WordSplitter.java `splitString`).
//!
//! Any char `<= ' '` separates words; a word that starts with `"` after a separator runs to a
//! `"` followed by a separator or the end of the line, without its quotes. Only ASCII bytes
//! decide, so splitting bytes of UTF-8 text gives the words Java gets from the chars.

/// The words of one line, produced lazily without allocation.
#[derive(Clone, Debug)]
pub(crate) struct Words<'a> {
    line: &'a str,
    /// Next byte to look at.
    pos: usize,
    /// Start of the current word.
    start: usize,
    quoted: bool,
    /// The byte before `pos` as the Java loop sees it (`' '` at the start).
    prev: u8,
    /// How many words were produced so far.
    count: usize,
}

impl<'a> Words<'a> {
    /// The words of `line` (without its line terminator).
    pub fn new(line: &'a str) -> Self {
        Words {
            line,
            pos: 0,
            start: 0,
            quoted: false,
            prev: b' ',
            count: 0,
        }
    }

    /// How many words were produced so far.
    pub fn seen(&self) -> usize {
        self.count
    }

    fn emit(&mut self, from: usize, to: usize) -> Option<&'a str> {
        self.count += 1;
        Some(self.line.get(from..to).unwrap_or_default())
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.line.as_bytes();
        let len = bytes.len();
        while self.pos < len {
            let i = self.pos;
            let c = bytes[i];
            self.pos += 1;
            if c <= b' ' && !self.quoted {
                // A normal word break.
                let start = std::mem::replace(&mut self.start, i + 1);
                self.prev = c;
                if i > start {
                    return self.emit(start, i);
                }
            } else if c == b'"' && self.prev <= b' ' && !self.quoted {
                // The start of a quoted word.
                self.quoted = true;
                self.start = i + 1;
                self.prev = c;
            } else if self.quoted && self.prev == b'"' && c <= b' ' {
                // The end of a quoted word: drop the closing quote.
                self.quoted = false;
                let start = std::mem::replace(&mut self.start, i + 1);
                self.prev = c;
                if i > start {
                    return self.emit(start, i - 1);
                }
            } else {
                self.prev = c;
            }
        }
        if self.start >= len {
            return None;
        }
        let start = std::mem::replace(&mut self.start, len);
        // An unclosed quote runs to the end of the line; a final `"` closes it.
        let end = if self.quoted && bytes[len - 1] == b'"' {
            len - 1
        } else {
            len
        };
        self.emit(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::Words;

    fn split(s: &str) -> Vec<&str> {
        Words::new(s).collect()
    }

    /// TEST/core/telnet/WordSplitterTest.java, then the edge cases of spec §5.1.
    #[test]
    fn splits_like_word_splitter() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "simple white space string",
                vec!["simple", "white", "space", "string"],
            ),
            ("uses\ttab\tseparators", vec!["uses", "tab", "separators"]),
            ("", vec![]),
            ("  \t  \t", vec![]),
            (
                "multiple \tinterstitial\t space \t chars",
                vec!["multiple", "interstitial", "space", "chars"],
            ),
            ("  space at start", vec!["space", "at", "start"]),
            ("space at end  ", vec!["space", "at", "end"]),
            (
                "  space at start and end  ",
                vec!["space", "at", "start", "and", "end"],
            ),
            ("nospace", vec!["nospace"]),
            ("\"quoted space\"", vec!["quoted space"]),
            (
                "\"quoted space\" at the begining",
                vec!["quoted space", "at", "the", "begining"],
            ),
            (
                "quoted space at \"the end\"",
                vec!["quoted", "space", "at", "the end"],
            ),
            (
                "quoted string \"with\"in\" it",
                vec!["quoted", "string", "with\"in", "it"],
            ),
            // edge cases: unclosed quotes, empty quoted words, control chars, non-ASCII
            ("a \"b c", vec!["a", "b c"]),
            ("\"a\"b c", vec!["a\"b c"]),
            ("\"\" x", vec!["", "x"]),
            ("x \"\"", vec!["x", ""]),
            ("x \"", vec!["x"]),
            ("a\u{1}b\u{7f}c", vec!["a", "b\u{7f}c"]),
            ("put 你好 \"é x\"", vec!["put", "你好", "é x"]),
            ("a\"b \"c\"d", vec!["a\"b", "c\"d"]),
        ];
        for (line, want) in cases {
            assert_eq!(split(line), want, "line {line:?}");
        }
    }

    #[test]
    fn counts_words() {
        let mut w = Words::new("put m 1");
        assert_eq!(w.by_ref().count(), 3);
        assert_eq!(w.seen(), 3);
        let mut w = Words::new("a b");
        w.next();
        assert_eq!(w.seen(), 1);
    }
}
