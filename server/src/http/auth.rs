//! HTTP Basic auth as KairosDB's Jetty `ConstraintSecurityHandler` applies it
//! (HTTP/WebServer.java `basicAuth` in 1.2, `initializeAuth` in 1.3): every path needs the
//! credentials except `/api/v1/health/*`; a failure is a 401 with a Basic challenge and Jetty's
//! error page.

use base64::Engine as _;
use hyper::header::{HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{HeaderMap, Method, Response, StatusCode};

use super::response::{self, Body};
use crate::config::SecurityOptions;

/// Realm of the challenge: the name of the login service in KairosDB 1.2, whose keys these are.
const REALM: &str = "kairos";

/// Whether the path is open without credentials (the 1.3 constraint `/api/v1/health/*`).
fn exempt(path: &str) -> bool {
    path == "/api/v1/health" || path.starts_with("/api/v1/health/")
}

/// `None` when the request may go on, else the response refusing it.
pub fn check(
    security: &SecurityOptions,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<Response<Body>> {
    let user = security.user.as_deref()?;
    let password = security.password.as_deref().unwrap_or("");
    if exempt(path) {
        return None;
    }
    let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some((scheme, encoded)) = header.map(|h| h.split_once(' ').unwrap_or((h, ""))) else {
        return Some(refusal(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            method,
            path,
            headers,
        ));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Some(refusal(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            method,
            path,
            headers,
        ));
    }
    let decoded = match base64::engine::general_purpose::STANDARD.decode(encoded.trim()) {
        Ok(d) => d,
        Err(e) => {
            // Jetty lets java.util.Base64's exception escape: a 500 naming the bad character.
            let msg = match e {
                base64::DecodeError::InvalidByte(_, b) => {
                    format!("java.lang.IllegalArgumentException: Illegal base64 character {b:x}")
                }
                other => format!("java.lang.IllegalArgumentException: {other}"),
            };
            return Some(refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                &msg,
                method,
                path,
                headers,
            ));
        }
    };
    let text = String::from_utf8_lossy(&decoded);
    let ok = match text.split_once(':') {
        Some((given_user, given_password)) if !given_user.is_empty() => {
            constant_time_eq(given_user.as_bytes(), user.as_bytes())
                & constant_time_eq(given_password.as_bytes(), password.as_bytes())
        }
        _ => false,
    };
    if ok {
        None
    } else {
        tracing::debug!(%path, "basic auth refused");
        Some(refusal(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            method,
            path,
            headers,
        ))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

/// Jetty 9.4's `ErrorHandler` answer: the body follows `Accept` (JSON, plain text, else HTML)
/// and only GET and POST get one. The servlet line and the Jetty banner are left out.
fn refusal(
    status: StatusCode,
    message: &str,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Response<Body> {
    let code = status.as_u16();
    let reason = status.canonical_reason().unwrap_or("");
    let accept = headers
        .get(hyper::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let with_body = method == Method::GET || method == Method::POST;
    let (content_type, body) = if accept.contains("application/json")
        || accept.contains("text/json")
    {
        (
            "application/json",
            format!(
                "{{\n\"message\":{},\n\"url\":{},\n\"status\":\"{code}\"\n}}",
                json_str(message),
                json_str(path)
            ),
        )
    } else if accept.contains("text/plain") && !accept.contains("text/html") {
        (
            "text/plain;charset=iso-8859-1",
            format!(
                "HTTP ERROR {code} {message}\nURI: {path}\nSTATUS: {code}\nMESSAGE: {message}\n"
            ),
        )
    } else {
        let (m, p) = (html(message), html(path));
        let title = if code == 401 {
            format!("{code} {reason}")
        } else {
            format!("{code} {m}")
        };
        (
            "text/html;charset=iso-8859-1",
            format!(
                "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n<title>Error {title}</title>\n</head>\n<body><h2>HTTP ERROR {title}</h2>\n<table>\n<tr><th>URI:</th><td>{p}</td></tr>\n<tr><th>STATUS:</th><td>{code}</td></tr>\n<tr><th>MESSAGE:</th><td>{m}</td></tr>\n</table>\n\n</body>\n</html>\n"
            ),
        )
    };
    let mut resp = if with_body {
        let mut r = Response::new(response::full(body));
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        r.headers_mut().insert(
            CACHE_CONTROL,
            HeaderValue::from_static("must-revalidate,no-cache,no-store"),
        );
        r
    } else {
        response::bare(status)
    };
    *resp.status_mut() = status;
    if status == StatusCode::UNAUTHORIZED {
        if let Ok(v) = HeaderValue::from_str(&format!("basic realm=\"{REALM}\"")) {
            resp.headers_mut().insert(WWW_AUTHENTICATE, v);
        }
    } else {
        resp.headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn credentials() {
        let auth = SecurityOptions {
            user: Some("user".into()),
            password: Some("pa:ss".into()),
            ..Default::default()
        };
        let get = Method::GET;
        assert!(check(&SecurityOptions::default(), &get, "/", &headers(&[])).is_none());
        assert!(check(&auth, &get, "/api/v1/health/check", &headers(&[])).is_none());
        let r = check(&auth, &get, "/api/v1/version", &headers(&[])).unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "basic realm=\"kairos\"");
        // "user:pa:ss": the first colon splits, as in Jetty.
        let good = headers(&[("authorization", "Basic dXNlcjpwYTpzcw==")]);
        assert!(check(&auth, &get, "/api/v1/version", &good).is_none());
        let bad = headers(&[("authorization", "Basic dXNlcjpwYXNz")]);
        assert_eq!(check(&auth, &get, "/metrics", &bad).unwrap().status(), 401);
        let broken = headers(&[("authorization", "Basic !!!")]);
        assert_eq!(check(&auth, &get, "/", &broken).unwrap().status(), 500);
    }
}
