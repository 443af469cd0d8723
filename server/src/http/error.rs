//! The one place where errors become HTTP responses (spec http-api.md §1.3).

use hyper::header::{HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use protocols::json::format::errors_body;

use super::response::{self, Body};

/// A request that failed; each variant knows its status and body shape.
#[derive(Debug)]
pub enum ApiError {
    /// 400 `{"errors":[...]}` with only the CORS origin header (`JsonResponseBuilder`).
    BadRequest(Vec<String>),
    /// A 400 whose body, like Java's `ErrorResponse`, may hold a null message.
    BadRequestNullable(Vec<Option<String>>),
    /// 500 `{"errors":[msg]}` with the standard headers (`ErrorResponse`); `None` prints `null`.
    Internal(Option<String>),
    /// 500 without CORS/cache headers (the `/metricnames` failure).
    InternalBare(String),
    /// 404 `{"errors":[msg]}` built like a 400 (unknown feature).
    NotFound(String),
    /// 404 with an empty body (no such resource).
    NoRoute,
    /// 405 with an empty body and the allowed methods.
    MethodNotAllowed(&'static str),
    /// 413: the body is larger than `kairosdb.jetty.max_body_size` (ours; Java has no limit).
    TooLarge(usize),
    /// 403: the API category (`INGEST`, `QUERY`, `DELETE`) is disabled by `kairosdb.server.type`.
    Forbidden(&'static str),
    /// 404 with a JSON error: the path belongs to a role this process does not run.
    NotThisRole(&'static str),
    /// 503 with `Retry-After`: the ingest queue is full (backpressure).
    Unavailable(String),
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::BadRequestNullable(_) => StatusCode::BAD_REQUEST,
            ApiError::Internal(_) | ApiError::InternalBare(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::NotFound(_) | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotThisRole(_) => StatusCode::NOT_FOUND,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The wire response.
    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        let builder_style = |msgs: Vec<Option<String>>| {
            let mut resp = Response::new(response::full(errors_body(&msgs)));
            *resp.status_mut() = status;
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp.headers_mut()
                .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            resp
        };
        match self {
            ApiError::BadRequest(msgs) => builder_style(msgs.into_iter().map(Some).collect()),
            ApiError::BadRequestNullable(msgs) => builder_style(msgs),
            ApiError::NotFound(msg) => builder_style(vec![Some(msg)]),
            ApiError::Internal(msg) => response::json(status, errors_body(&[msg])),
            ApiError::InternalBare(msg) => {
                let mut resp = Response::new(response::full(errors_body(&[Some(msg)])));
                *resp.status_mut() = status;
                resp.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(response::JSON_UTF8));
                resp
            }
            ApiError::TooLarge(limit) => {
                let msg = format!("cannot read request body: larger than the limit of {limit} bytes (kairosdb.jetty.max_body_size)");
                response::json(status, errors_body(&[Some(msg)]))
            }
            ApiError::NoRoute => response::bare(status),
            ApiError::Unavailable(msg) => {
                let mut resp = response::json(status, errors_body(&[Some(msg)]));
                resp.headers_mut()
                    .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
                resp
            }
            ApiError::NotThisRole(role) => {
                let msg =
                    format!("not served here: this kairosdb-rs instance runs the {role} role");
                response::json(status, errors_body(&[Some(msg)]))
            }
            ApiError::Forbidden(category) => {
                // InvalidServerTypeExceptionMapper: a literal body with a space after the colon, no CORS.
                let body = format!("{{\"errors\": [\"Forbidden: {category} API methods are disabled on this KairosDB instance.\"]}}");
                let mut resp = Response::new(response::full(body));
                *resp.status_mut() = status;
                resp.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                resp
            }
            ApiError::MethodNotAllowed(allow) => {
                let mut resp = response::bare(status);
                resp.headers_mut()
                    .insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
                resp
            }
        }
    }
}

impl From<protocols::json::query::QueryError> for ApiError {
    fn from(e: protocols::json::query::QueryError) -> Self {
        match e {
            protocols::json::query::QueryError::BadRequest(msgs) => ApiError::BadRequest(msgs),
            protocols::json::query::QueryError::Internal(msg) => ApiError::Internal(msg),
        }
    }
}

impl From<crate::datastore::DatastoreError> for ApiError {
    fn from(e: crate::datastore::DatastoreError) -> Self {
        ApiError::Internal(Some(e.to_string()))
    }
}
