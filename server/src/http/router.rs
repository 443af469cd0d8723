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
    let refused = super::auth::check(
        &state.options.security,
        &method,
        req.uri().path(),
        req.headers(),
    );
    let path = req.uri().path().trim_end_matches('/').to_string();
    let started = std::time::Instant::now();
    let wants_gzip =
        accepts_gzip(req.headers()) && (method == Method::GET || method == Method::POST);
    crate::reporter::counters::counters().http_request(req.uri().path());
    let resp = match refused {
        Some(r) => r,
        None => match dispatch(&state, req, &method, &path, peer).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
    };
    let resp = if wants_gzip {
        gzip_response(resp).await
    } else {
        resp
    };
    let route = route_label(&path);
    let m = crate::metrics::metrics();
    m.count_request(route, resp.status().as_u16());
    if matches!(
        route,
        "/api/v1/datapoints/query" | "/api/v1/datapoints/query/tags" | "/api/v1/datapoints/delete"
    ) {
        m.query_latency.observe(started.elapsed());
    }
    tracing::debug!(%method, %path, %peer, status = resp.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
    Ok(resp)
}

async fn dispatch(
    state: &Arc<AppState>,
    req: Request<Incoming>,
    method: &Method,
    path: &str,
    peer: SocketAddr,
) -> Result<Response<Body>, ApiError> {
    if path == "/metrics" && (method == Method::GET || method == Method::HEAD) {
        let mut resp = Response::new(response::full(crate::metrics::metrics().render()));
        resp.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        return Ok(resp);
    }
    let Some(rest) = path.strip_prefix("/api/v1/") else {
        return Err(ApiError::NoRoute);
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let query = req.uri().query().unwrap_or("").to_string();
    let role = state.options.http.role;
    let ingest_path = matches!(
        segments.as_slice(),
        ["datapoints"] | ["datapoints", "index"]
    );
    let query_path = matches!(
        segments.as_slice(),
        ["datapoints", "query"]
            | ["datapoints", "query", "tags"]
            | ["datapoints", "delete"]
            | ["metric", _]
            | ["metricnames"]
            | ["tagnames"]
            | ["tagvalues"]
            | ["features"]
            | ["features", _]
    );
    if (ingest_path && !role.ingests()) || (query_path && !role.queries()) {
        return Err(ApiError::NotThisRole(role.name()));
    }
    if let Some(category) = category(&segments) {
        let t = state.options.http.server_type;
        let enabled = match category {
            "INGEST" => t.ingest,
            "QUERY" => t.query,
            _ => t.delete,
        };
        if !enabled {
            return Err(ApiError::Forbidden(category));
        }
    }
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
        ["datapoints", "index"] if get => index(&query),
        ["datapoints", "query"] if method == Method::POST => {
            let body = read_body(state, req).await?;
            query::run_query(state, String::from_utf8_lossy(&body).into_owned(), peer).await
        }
        ["datapoints", "query"] if get => match query_param(&query, "query") {
            Some(q) if !q.is_empty() => query::run_query(state, q, peer).await,
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

/// The `kairosdb.server.type` category gating a path (REST/MetricsResource.java `checkServerType`).
fn category(segments: &[&str]) -> Option<&'static str> {
    match segments {
        ["datapoints"] | ["datapoints", "index"] => Some("INGEST"),
        ["datapoints", "query"] | ["datapoints", "query", "tags"] | ["metricnames"] => {
            Some("QUERY")
        }
        ["datapoints", "delete"] | ["metric", _] => Some("DELETE"),
        _ => None,
    }
}

/// `GET /api/v1/datapoints/index`: Java rewrites the Cassandra tag index of a metric; the
/// embedded store keeps no separate index, so there is nothing to rebuild. The three parameters
/// are required as in Java (a missing one is a bodiless 500).
fn index(query: &str) -> Result<Response<Body>, ApiError> {
    let present = |name: &str| query_param(query, name).is_some_and(|v| !v.is_empty());
    if !["start_absolute", "end_absolute", "metric"]
        .iter()
        .all(|p| present(p))
    {
        return Ok(response::bare(StatusCode::INTERNAL_SERVER_ERROR));
    }
    for p in ["start_absolute", "end_absolute"] {
        if query_param(query, p).is_some_and(|v| v.parse::<i64>().is_err()) {
            return Ok(response::bare(StatusCode::INTERNAL_SERVER_ERROR));
        }
    }
    Ok(response::no_content())
}

/// The route pattern of a path, as the `route` label of request metrics (bounded cardinality).
fn route_label(path: &str) -> &'static str {
    const ROUTES: [&str; 13] = [
        "/api/v1/version",
        "/api/v1/datapoints",
        "/api/v1/datapoints/index",
        "/api/v1/datapoints/query",
        "/api/v1/datapoints/query/tags",
        "/api/v1/datapoints/delete",
        "/api/v1/metricnames",
        "/api/v1/tagnames",
        "/api/v1/tagvalues",
        "/api/v1/health/check",
        "/api/v1/health/status",
        "/api/v1/features",
        "/metrics",
    ];
    if let Some(r) = ROUTES.iter().find(|r| **r == path) {
        return r;
    }
    if path.starts_with("/api/v1/metric/") {
        "/api/v1/metric/{name}"
    } else if path.starts_with("/api/v1/features/") {
        "/api/v1/features/{family}"
    } else {
        "other"
    }
}

/// Whether `Accept-Encoding` allows gzip.
fn accepts_gzip(headers: &hyper::HeaderMap) -> bool {
    headers
        .get_all(hyper::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// Compresses a whole JSON body of 32 bytes or more, as Jetty's `GzipHandler` does
/// (HTTP/WebServer.java); streamed bodies go out as they are.
async fn gzip_response(resp: Response<Body>) -> Response<Body> {
    use hyper::body::Body as _;
    let json = resp
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let size = resp.body().size_hint().exact();
    if !json
        || resp.headers().contains_key(hyper::header::CONTENT_ENCODING)
        || size.is_none_or(|n| n < 32)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => return ApiError::Internal(Some(e.to_string())).into_response(),
    };
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    let gz = match std::io::Write::write_all(&mut enc, &bytes).and_then(|_| enc.finish()) {
        Ok(gz) => gz,
        Err(_) => return Response::from_parts(parts, response::full(bytes)),
    };
    parts.headers.insert(
        hyper::header::CONTENT_ENCODING,
        HeaderValue::from_static("gzip"),
    );
    parts.headers.insert(
        hyper::header::VARY,
        HeaderValue::from_static("Accept-Encoding"),
    );
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    Response::from_parts(parts, response::full(gz))
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
    fn gzip_negotiation() {
        let mut h = hyper::HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(
            hyper::header::ACCEPT_ENCODING,
            HeaderValue::from_static("deflate, gzip;q=0.5"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            hyper::header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0, br"),
        );
        assert!(!accepts_gzip(&h));
        h.insert(
            hyper::header::ACCEPT_ENCODING,
            HeaderValue::from_static("*"),
        );
        assert!(accepts_gzip(&h));
    }

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
