//! `POST /api/v1/datapoints`: decompress, parse, hand valid points to the ingest core, answer
//! only once they are durable (REST/MetricsResource.java `add`, `addGzip`).

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::header::{CONTENT_ENCODING, CONTENT_TYPE};
use hyper::{HeaderMap, Response};
use protocols::json::datapoints::parse_datapoints;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
    // Room for what the body becomes once parsed, taken before parsing and held until the
    // points are durable, so waiting requests cannot pile up parsed batches without bound.
    let wait = Duration::from_millis(state.options.ingest.http_wait_ms);
    let max_kib = state.options.ingest.max_queued_kib();
    let _room = admit(&state.ingest_room, max_kib, body.len(), wait).await?;
    let parsed = tokio::task::spawn_blocking(move || parse_datapoints(&body))
        .await
        .map_err(|e| ApiError::Internal(Some(format!("cannot parse data points: {e}"))))?;
    let points: usize = parsed.series.iter().map(|s| s.points.len()).sum();
    if points > 0 {
        let wait = Wait::AtMost(wait.saturating_sub(started.elapsed()));
        state
            .ingest
            .submit(parsed.series, wait)
            .await
            .map_err(refused)?;
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

/// Parsed points hold up to this many times their JSON's bytes (the costliest shape, one
/// point per series with one-letter names, measures 6.95; `cpu.user` with two tags, 4.1).
const PARSED_PER_JSON_BYTE: usize = 8;

/// What a refused submission answers: 503 with `Retry-After` when another try may succeed (the
/// queue is full, or this node is shutting down and a client should go to another), else 500.
fn refused(e: IngestError) -> ApiError {
    match e {
        IngestError::Busy | IngestError::Closed => ApiError::Unavailable(e.to_string()),
        IngestError::Datastore(_) => ApiError::Internal(Some(e.to_string())),
    }
}

/// Takes `room` for a body of `len` bytes once parsed (a body larger than all of it goes
/// alone), waiting at most `wait`: past it, 503 as when the ingest queue is full.
async fn admit(
    room: &Arc<Semaphore>,
    max_kib: usize,
    len: usize,
    wait: Duration,
) -> Result<OwnedSemaphorePermit, ApiError> {
    let kib = len
        .saturating_mul(PARSED_PER_JSON_BYTE)
        .div_ceil(1024)
        .clamp(1, max_kib.clamp(1, u32::MAX as usize)) as u32;
    match tokio::time::timeout(wait, room.clone().acquire_many_owned(kib)).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(refused(IngestError::Closed)),
        Err(_) => Err(ApiError::Unavailable(IngestError::Busy.to_string())),
    }
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

    #[tokio::test]
    async fn admission_waits_then_refuses_and_a_huge_body_goes_alone() {
        let room = Arc::new(Semaphore::new(100));
        let wait = Duration::from_millis(50);
        // 10,000 bytes of JSON take 79 KiB of the 100.
        let first = admit(&room, 100, 10_000, wait).await.unwrap();
        assert_eq!(room.available_permits(), 21);
        let refused = admit(&room, 100, 10_000, wait).await.unwrap_err();
        assert!(matches!(refused, ApiError::Unavailable(_)), "{refused:?}");
        assert_eq!(room.available_permits(), 21);
        drop(first);
        let huge = admit(&room, 100, 10_000_000, wait).await.unwrap();
        assert_eq!(room.available_permits(), 0);
        drop(huge);
        assert_eq!(room.available_permits(), 100);
        // Shutting down: 503, so a client tries again or elsewhere.
        room.close();
        match admit(&room, 100, 10, wait).await.unwrap_err() {
            ApiError::Unavailable(m) => assert!(m.contains("shutting down"), "{m}"),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_full_queue_or_a_shutdown_is_503_a_failed_write_500() {
        assert!(matches!(
            refused(IngestError::Busy),
            ApiError::Unavailable(_)
        ));
        assert!(matches!(
            refused(IngestError::Closed),
            ApiError::Unavailable(_)
        ));
        match refused(IngestError::Datastore("write failed: x".into())) {
            ApiError::Internal(Some(m)) => assert_eq!(m, "write failed: x"),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn parsed_bodies_stay_within_the_admitted_factor() {
        // The costliest shapes per JSON byte: one point per series, short names and values.
        let shapes = [
            r#"{"name":"m","tags":{"a":"b"},"timestamp":1,"value":1}"#.to_string(),
            r#"{"name":"m","tags":{"a":"b","c":"d","e":"f","g":"h"},"datapoints":[[1,1]]}"#
                .to_string(),
            r#"{"name":"cpu.user","tags":{"host":"h00001","dc":"dc1"},"datapoints":[[1700000000000,12.5]]}"#
                .to_string(),
        ];
        for one in shapes {
            let body = format!("[{}]", vec![one.as_str(); 1000].join(","));
            let parsed = parse_datapoints(body.as_bytes());
            assert!(
                parsed.errors.is_empty() && parsed.failure.is_none(),
                "{one}"
            );
            let bytes: usize = parsed.series.iter().map(|s| s.memory_bytes()).sum();
            let ratio = bytes as f64 / body.len() as f64;
            assert!(ratio <= PARSED_PER_JSON_BYTE as f64, "{one}: {ratio:.2}");
        }
    }

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
