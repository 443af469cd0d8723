//! Maps method and path to a handler; unknown paths get an empty 404, wrong methods a 405.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request, Response, StatusCode};

use super::error::ApiError;
use super::response::{self, Body};
use super::{datapoints, metadata, query};
use crate::state::AppState;

/// Handles one request; never fails at the hyper level.
pub async fn route(
    state: Arc<AppState>,
    req: Request<Incoming>,
    peer: SocketAddr,
) -> Result<Response<Body>, std::convert::Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().trim_end_matches('/').to_string();
    let started = std::time::Instant::now();
    let resp = match dispatch(&state, req, &method, &path).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    tracing::debug!(%method, %path, %peer, status = resp.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
    Ok(resp)
}

async fn dispatch(
    state: &Arc<AppState>,
    req: Request<Incoming>,
    method: &Method,
    path: &str,
) -> Result<Response<Body>, ApiError> {
    let Some(rest) = path.strip_prefix("/api/v1/") else {
        return Err(ApiError::NoRoute);
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let query = req.uri().query().unwrap_or("").to_string();
    if method == Method::OPTIONS && has_preflight(&segments) {
        return Ok(preflight(&req));
    }
    let get = method == Method::GET || method == Method::HEAD;
    match segments.as_slice() {
        ["version"] if get => Ok(metadata::version()),
        ["version"] => Err(ApiError::MethodNotAllowed("GET, HEAD, OPTIONS")),
        ["datapoints"] if method == Method::POST => {
            let headers = req.headers().clone();
            let body = read_body(state, req).await?;
            datapoints::add(state, &headers, body).await
        }
        ["datapoints"] => Err(ApiError::MethodNotAllowed("POST, OPTIONS")),
        ["datapoints", "query"] if method == Method::POST => {
            let body = read_body(state, req).await?;
            query::run_query(state, String::from_utf8_lossy(&body).into_owned()).await
        }
        ["datapoints", "query"] if get => match query_param(&query, "query") {
            Some(q) if !q.is_empty() => query::run_query(state, q).await,
            _ => Err(ApiError::BadRequest(vec![
                "query json must not be null or empty".into(),
            ])),
        },
        ["datapoints", "query"] => Err(ApiError::MethodNotAllowed("GET, HEAD, POST, OPTIONS")),
        ["datapoints", "query", "tags"] if method == Method::POST => {
            let body = read_body(state, req).await?;
            query::query_tags(state, String::from_utf8_lossy(&body).into_owned()).await
        }
        ["datapoints", "query", "tags"] => Err(ApiError::MethodNotAllowed("POST, OPTIONS")),
        ["datapoints", "delete"] if method == Method::POST => {
            let body = read_body(state, req).await?;
            query::delete(state, String::from_utf8_lossy(&body).into_owned()).await
        }
        ["datapoints", "delete"] => Err(ApiError::MethodNotAllowed("POST, OPTIONS")),
        ["metric", name] if method == Method::DELETE => {
            query::delete_metric(state, percent_decode(name, false)).await
        }
        ["metric", _] => Err(ApiError::MethodNotAllowed("DELETE, OPTIONS")),
        ["metricnames"] if get => {
            metadata::metric_names(state, query_param(&query, "prefix")).await
        }
        ["tagnames"] if get => metadata::tag_names(state).await,
        ["tagvalues"] if get => metadata::tag_values(state).await,
        ["health", "check"] if get => metadata::health_check(state).await,
        ["health", "status"] if get => metadata::health_status(state).await,
        ["features"] if get => Ok(metadata::features(state, None)?),
        ["features", f] if get => Ok(metadata::features(state, Some(f))?),
        ["metricnames"]
        | ["tagnames"]
        | ["tagvalues"]
        | ["health", _]
        | ["features"]
        | ["features", _] => Err(ApiError::MethodNotAllowed("GET, HEAD, OPTIONS")),
        _ => Err(ApiError::NoRoute),
    }
}

/// Paths with an explicit CORS `OPTIONS` method in Java (REST/MetricsResource.java).
fn has_preflight(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["version"]
            | ["datapoints"]
            | ["datapoints", "query"]
            | ["datapoints", "query", "tags"]
            | ["datapoints", "delete"]
            | ["metric", _]
            | ["metricnames"]
            | ["health", "check"]
            | ["health", "status"]
    )
}

/// `getCorsPreflightResponseBuilder`, including the misspelt `Access-Control-Allow_Method`.
fn preflight(req: &Request<Incoming>) -> Response<Body> {
    let mut resp = response::bare(StatusCode::OK);
    let h = resp.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert("access-control-max-age", HeaderValue::from_static("86400"));
    if let Some(v) = req.headers().get("access-control-request-headers") {
        h.insert("access-control-allow-headers", v.clone());
    }
    if let Some(v) = req.headers().get("access-control-request-method") {
        h.insert("access-control-allow_method", v.clone());
        h.insert("access-control-allow-methods", v.clone());
    }
    resp
}

/// Reads the whole body, refusing more than the configured maximum.
async fn read_body(state: &AppState, req: Request<Incoming>) -> Result<Bytes, ApiError> {
    let limit = state.options.http.max_body_bytes;
    match Limited::new(req.into_body(), limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(ApiError::TooLarge(limit))
        }
        Err(e) => Err(ApiError::Internal(Some(format!(
            "cannot read request body: {e}"
        )))),
    }
}

/// The decoded value of parameter `name` in a query string.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k, true) == name).then(|| percent_decode(v, true))
    })
}

/// Percent-decoding (and `+` as space in query strings); invalid escapes are kept as is.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("a%2Fb+c", false), "a/b+c");
        assert_eq!(percent_decode("100%", true), "100%");
        assert_eq!(percent_decode("%zz", true), "%zz");
        assert_eq!(
            query_param("x=1&prefix=sys.c", "prefix").as_deref(),
            Some("sys.c")
        );
        assert_eq!(query_param("prefix", "prefix").as_deref(), Some(""));
        assert_eq!(query_param("a=b", "prefix"), None);
    }
}
