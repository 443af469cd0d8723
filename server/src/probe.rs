//! `kairosdb probe [URL]`: a dependency-free HTTP health probe for container health checks
//! (distroless images have no curl): exit 0 on a 2xx answer, 1 otherwise.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

/// The URL probed when none is given: the health check on the default port.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080/api/v1/health/check";

/// How long connecting, sending and reading may each take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Splits `http://host[:port]/path` into (host:port, host, path).
fn parse(url: &str) -> Result<(String, String, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs can be probed"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(format!("{url}: no host"));
    }
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.contains(']'));
    let addr = if has_port {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    Ok((addr, authority.to_string(), path.to_string()))
}

/// The status code of `GET url`.
pub fn status(url: &str) -> Result<u16, String> {
    let (addr, host, path) = parse(url)?;
    let target = addr
        .to_socket_addrs()
        .map_err(|e| format!("{addr}: {e}"))?
        .next()
        .ok_or_else(|| format!("{addr}: no address"))?;
    let mut s = TcpStream::connect_timeout(&target, TIMEOUT).map_err(|e| format!("{addr}: {e}"))?;
    s.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes())
        .map_err(|e| format!("{addr}: {e}"))?;
    // The status line, however the bytes arrive (at most 64 of them are needed).
    let mut head = Vec::with_capacity(64);
    let mut buf = [0u8; 64];
    while head.len() < 64 && !head.contains(&b'\n') {
        let n = s.read(&mut buf).map_err(|e| format!("{addr}: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("{addr}: not an HTTP answer: {line:?}"))
}

/// Runs the probe; prints the outcome on stderr.
pub fn run(args: &[String]) -> ExitCode {
    let url = args.first().map(String::as_str).unwrap_or(DEFAULT_URL);
    match status(url) {
        Ok(code) if (200..300).contains(&code) => ExitCode::SUCCESS,
        Ok(code) => {
            eprintln!("kairosdb probe: {url} answered {code}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("kairosdb probe: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse("http://127.0.0.1:8080/api/v1/health/check").unwrap(),
            (
                "127.0.0.1:8080".into(),
                "127.0.0.1:8080".into(),
                "/api/v1/health/check".into()
            )
        );
        assert_eq!(parse("http://h").unwrap().0, "h:80");
        assert_eq!(parse("http://[::1]:9/x").unwrap().0, "[::1]:9");
        assert!(parse("https://h/").is_err());
    }
}
