//! A tiny deterministic generator for randomized tests: the same cases on every run, and a
//! failing seed reproduces.

/// xorshift64 over a nonzero seed.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next number, reduced below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
