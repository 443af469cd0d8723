//! A raw telnet (line protocol) client.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

/// How long [`TelnetClient::version`] waits for the answer.
pub const VERSION_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to the telnet listener.
pub struct TelnetClient {
    reader: BufReader<TcpStream>,
}

impl TelnetClient {
    /// Connects to `addr`.
    pub fn connect(addr: SocketAddr) -> io::Result<TelnetClient> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(Duration::from_secs(60)))?;
        stream.set_read_timeout(Some(VERSION_TIMEOUT))?;
        Ok(TelnetClient {
            reader: BufReader::new(stream),
        })
    }

    /// Sends `line` followed by `\n`.
    pub fn send_line(&mut self, line: &str) -> io::Result<()> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        self.send_raw(&buf)
    }

    /// Sends bytes as they are (no newline added).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let s = self.reader.get_mut();
        s.write_all(bytes)?;
        s.flush()
    }

    /// Sends `version` and returns the answer line without its terminator.
    ///
    /// Since the server handles a connection's lines in order, an answer also proves that every line sent before
    /// was read.
    pub fn version(&mut self) -> io::Result<String> {
        self.send_line("version")?;
        self.read_line(VERSION_TIMEOUT)
    }

    /// Reads one line with a timeout; EOF is an `UnexpectedEof` error.
    pub fn read_line(&mut self, timeout: Duration) -> io::Result<String> {
        self.reader.get_ref().set_read_timeout(Some(timeout))?;
        let mut buf = Vec::new();
        let n = self.reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "telnet connection closed",
            ));
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Waits up to `timeout` for the server to close the connection; true when it did (EOF or reset).
    ///
    /// Any bytes received meanwhile are discarded.
    pub fn wait_closed(&mut self, timeout: Duration) -> bool {
        if self
            .reader
            .get_ref()
            .set_read_timeout(Some(timeout))
            .is_err()
        {
            return true;
        }
        let mut buf = [0u8; 4096];
        loop {
            match self.reader.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return false
                }
                Err(_) => return true,
            }
        }
    }

    /// Closes the write side, leaving reads possible.
    pub fn shutdown_write(&mut self) -> io::Result<()> {
        self.reader.get_ref().shutdown(Shutdown::Write)
    }
}
