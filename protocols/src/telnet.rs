//! The telnet line protocol.
