//! A minimal HTTP/1.1 client over `std::net::TcpStream`: Content-Length and chunked bodies, keep-alive.

use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Read/write timeout of every HTTP socket.
pub const IO_TIMEOUT: Duration = Duration::from_secs(120);

/// A received HTTP response.
#[derive(Clone)]
pub struct Response {
    /// Status code, e.g. 204.
    pub status: u16,
    /// Headers in received order, names as sent by the server.
    pub headers: Vec<(String, String)>,
    /// Body with any chunked transfer coding removed.
    pub body: Vec<u8>,
}

impl Response {
    /// First value of a header, looked up case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Body as UTF-8 text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Body parsed as JSON; panics with the body text when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "response body is not JSON ({e}): status {} body {:?}",
                self.status,
                self.text()
            )
        })
    }

    /// The `errors` array of a `{"errors":[...]}` body as strings (`null` entries become "null").
    ///
    /// Panics when the body does not have that shape.
    pub fn errors(&self) -> Vec<String> {
        let v = self.json();
        let arr = v
            .get("errors")
            .and_then(|e| e.as_array())
            .unwrap_or_else(|| {
                panic!(
                    "body is not {{\"errors\":[...]}}: status {} body {:?}",
                    self.status,
                    self.text()
                )
            });
        arr.iter()
            .map(|e| match e {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text();
        let shown: String = text.chars().take(2000).collect();
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &shown)
            .finish()
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Connection {
    addr: SocketAddr,
    reader: BufReader<TcpStream>,
}

impl Connection {
    /// Opens a TCP connection with [`IO_TIMEOUT`] read and write timeouts.
    pub fn connect(addr: SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            addr,
            reader: BufReader::new(stream),
        })
    }

    /// Sends a request and reads the whole response; the connection stays open unless the server closes it.
    ///
    /// `headers` are added after `Host` and `Content-Length`. If writing the body fails (the server answered early
    /// and closed), the response is still read when one arrived.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        let has = |n: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
        if !has("content-length")
            && !has("transfer-encoding")
            && (!body.is_empty() || method != "GET")
        {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.reader.get_mut();
        // Small bodies go out in the same segment as the head.
        let write_result = if body.len() <= 64 * 1024 {
            let mut msg = head.into_bytes();
            msg.extend_from_slice(body);
            stream.write_all(&msg)
        } else {
            stream.write_all(head.as_bytes())?;
            stream.write_all(body)
        }
        .and_then(|_| stream.flush());
        match read_response(&mut self.reader, method == "HEAD") {
            Ok(r) => Ok(r),
            Err(read_err) => Err(write_result.err().unwrap_or(read_err)),
        }
    }
}

/// Sends one request on a fresh connection with `Connection: close`.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Response> {
    let mut conn = Connection::connect(addr)?;
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("connection"))
    {
        all.push(("Connection", "close"));
    }
    conn.request(method, path, &all, body)
}

/// Reads one response (skipping `100 Continue`) from `reader`.
pub fn read_response<R: BufRead>(reader: &mut R, head_request: bool) -> io::Result<Response> {
    loop {
        let status_line = read_line(reader)?;
        if status_line.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before a status line",
            ));
        }
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        if !version.starts_with("HTTP/1.") {
            return Err(bad(format!("not an HTTP/1.x status line: {status_line:?}")));
        }
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("bad status line: {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let line = read_line(reader)?;
            if line.is_empty() {
                break;
            }
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| bad(format!("bad header line: {line:?}")))?;
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        if (100..200).contains(&status) {
            continue;
        }
        let find = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
        };
        let body = if head_request || status == 204 || status == 304 {
            Vec::new()
        } else if find("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            read_chunked(reader)?
        } else if let Some(len) = find("content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| bad(format!("bad Content-Length {len:?}")))?;
            let mut body = vec![0; len];
            reader.read_exact(&mut body)?;
            body
        } else {
            let mut body = Vec::new();
            reader.read_to_end(&mut body)?;
            body
        };
        return Ok(Response {
            status,
            headers,
            body,
        });
    }
}

fn read_chunked<R: BufRead>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| bad(format!("bad chunk size line {line:?}")))?;
        if size == 0 {
            // Trailers end with an empty line.
            while !read_line(reader)?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let crlf = read_line(reader)?;
        if !crlf.is_empty() {
            return Err(bad(format!("chunk not followed by CRLF: {crlf:?}")));
        }
    }
}

/// Reads a CRLF- or LF-terminated line without its terminator; EOF before any byte yields "".
fn read_line<R: BufRead>(reader: &mut R) -> io::Result<String> {
    let mut buf = Vec::new();
    reader.read_until(b'\n', &mut buf)?;
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    String::from_utf8(buf).map_err(|_| bad("non-UTF-8 bytes in response head".to_string()))
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Gzip-compresses `data` (for `Content-Encoding: gzip` request bodies).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use flate2::{write::GzEncoder, Compression};
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Percent-encodes a string for use as a query-string parameter value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
