//! `POST /api/v1/datapoints`: decompress, parse, hand valid points to the ingest core, answer
//! only once they are durable (REST/MetricsResource.java `add`, `addGzip`).

use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use hyper::header::{CONTENT_ENCODING, CONTENT_TYPE};
use hyper::{HeaderMap, Response};
use protocols::json::datapoints::parse_datapoints;

use super::error::ApiError;
use super::response::{self, Body};
use crate::ingest::{IngestError, Wait};
use crate::state::AppState;

/// How a gzip failure is reported: Java answers 400 on the `application/gzip` route and 500
/// on `Content-Encoding: gzip` (spec http-api.md §1.7 quirk).
enum GzipRoute {
    ContentType,
    ContentEncoding,
}

/// Handles one ingestion request.
pub async fn add(
    state: &AppState,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response<Body>, ApiError> {
    let started = std::time::Instant::now();
    let route = if headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/gzip"))
    {
        Some(GzipRoute::ContentType)
    } else if headers
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes() == b"gzip")
    {
        Some(GzipRoute::ContentEncoding)
    } else {
        None
    };
    let body = match route {
        None => body,
        Some(route) => {
            gunzip(&body, state.options.http.max_body_bytes).map_err(|msg| match route {
                GzipRoute::ContentType => ApiError::BadRequest(vec![msg]),
                GzipRoute::ContentEncoding => ApiError::Internal(Some(msg)),
            })?
        }
    };
    let parsed = tokio::task::spawn_blocking(move || parse_datapoints(&body))
        .await
        .map_err(|e| ApiError::Internal(Some(format!("cannot parse data points: {e}"))))?;
    let points: usize = parsed.series.iter().map(|s| s.points.len()).sum();
    if points > 0 {
        let wait = Wait::AtMost(Duration::from_millis(state.options.ingest.http_wait_ms));
        state
            .ingest
            .submit(parsed.series, wait)
            .await
            .map_err(|e| match e {
                IngestError::Busy => ApiError::Unavailable(e.to_string()),
                e => ApiError::Internal(Some(e.to_string())),
            })?;
        crate::reporter::counters::counters()
            .http_ingest(points as u64, started.elapsed().as_millis() as u64);
    }
    if let Some(failure) = parsed.failure {
        tracing::debug!(status = failure.status, message = ?failure.message, stored = points, "ingest request failed");
        return Err(if failure.status == 400 {
            ApiError::BadRequestNullable(vec![failure.message])
        } else {
            ApiError::Internal(failure.message)
        });
    }
    if !parsed.errors.is_empty() {
        tracing::debug!(
            errors = parsed.errors.len(),
            stored = points,
            "ingest request had validation errors"
        );
        return Err(ApiError::BadRequest(parsed.errors));
    }
    Ok(response::no_content())
}

/// Inflates a gzip body, refusing output beyond `limit` bytes.
fn gunzip(body: &[u8], limit: usize) -> Result<Bytes, String> {
    let mut out = Vec::with_capacity(body.len() * 4);
    let mut reader = flate2::read::GzDecoder::new(body).take(limit as u64 + 1);
    match reader.read_to_end(&mut out) {
        Ok(_) if out.len() > limit => Err(format!(
            "cannot read request body: larger than the limit of {limit} bytes once decompressed"
        )),
        Ok(_) => Ok(Bytes::from(out)),
        Err(e)
            if e.kind() == std::io::ErrorKind::InvalidInput
                || e.to_string().contains("invalid gzip header") =>
        {
            Err("Not in GZIP format".to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gunzip_round_trip_and_errors() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"[1,2,3]").unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(gunzip(&gz, 100).unwrap(), Bytes::from_static(b"[1,2,3]"));
        assert_eq!(
            gunzip(b"not gzip at all", 100).unwrap_err(),
            "Not in GZIP format"
        );
        assert!(gunzip(&gz, 3).unwrap_err().contains("limit"));
    }
}
