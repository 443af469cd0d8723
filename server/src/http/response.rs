//! Building responses with the headers Java KairosDB sends (spec http-api.md §1.2, §11).

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, EXPIRES, PRAGMA,
};
use hyper::{Response, StatusCode};

/// The response body type of every handler.
pub type Body = BoxBody<Bytes, std::io::Error>;

/// Content type of JSON responses of JAX-RS methods.
pub const JSON_UTF8: &str = "application/json; charset=UTF-8";

/// A whole body.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body.
pub fn empty() -> Body {
    full(Bytes::new())
}

/// Adds `MetricsResource.setHeaders`: CORS origin and no-cache headers.
pub fn set_headers(resp: &mut Response<Body>) {
    let h = resp.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(EXPIRES, HeaderValue::from_static("0"));
}

/// A JSON response with the standard headers.
pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    set_headers(&mut resp);
    resp
}

/// 204 with the standard headers and a JSON content type, as Java sends it.
pub fn no_content() -> Response<Body> {
    json(StatusCode::NO_CONTENT, Bytes::new())
}

/// A status with an empty body (container-style errors).
pub fn bare(status: StatusCode) -> Response<Body> {
    let mut resp = Response::new(empty());
    *resp.status_mut() = status;
    resp
}
