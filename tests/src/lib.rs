//! Helpers for end-to-end tests: start the real binary, talk HTTP and telnet to it.
