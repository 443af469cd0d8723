//! Query, query/tags and delete endpoints (REST/MetricsResource.java `runQuery`, `getMeta`,
//! `delete`, `metricDelete`). Parsing and execution run on a blocking thread.

use std::sync::Arc;

use futures_util::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use protocols::json::query::{parse_query, Query, QueryParseOptions};
use tokio_stream_shim::ReceiverStream;

use super::error::ApiError;
use super::response::{self, Body};
use crate::datastore::TagFilter;
use crate::ingest::IngestSink;
use crate::query::{self, Engine, Output, OutputStart};
use crate::state::AppState;

/// Parses a query; `runtime` is where `save_as` writes wait for the ingest core.
fn parse(
    state: &AppState,
    runtime: &tokio::runtime::Handle,
    text: &str,
) -> Result<Query, ApiError> {
    let sink: Arc<dyn plugin_api::PointSink> =
        Arc::new(IngestSink::new(state.ingest.clone(), runtime.clone()));
    let opts = QueryParseOptions {
        now: crate::datastore::embedded::now_ms(),
        default_time_zone: state.options.query.default_time_zone.clone(),
        sink: Some(sink),
    };
    Ok(parse_query(text, &state.registry, &opts)?)
}

fn engine(state: &AppState) -> Engine {
    let ops = &state.options.ops;
    Engine {
        datastore: state.datastore.clone(),
        regex_prefix: state.options.query.regex_prefix.clone(),
        limits: query::QueryLimits {
            points: ops.query_limit,
            seconds: ops.query_time_limit_sec,
            row_keys: ops.max_row_keys,
        },
        stats: None,
    }
}

/// Writes what a finished `/datapoints/query` request reports about itself, in the background.
fn report(
    state: &AppState,
    runtime: &tokio::runtime::Handle,
    rec: crate::reporter::query_log::QueryRecord<'_>,
) {
    let series = crate::reporter::query_log::points(&state.options.ops, &rec);
    if series.is_empty() {
        return;
    }
    let ingest = state.ingest.clone();
    runtime.spawn(async move {
        let wait = crate::ingest::Wait::AtMost(std::time::Duration::from_secs(10));
        if let Err(e) = ingest.submit(series, wait).await {
            tracing::warn!(error = %e, "cannot store the query's kairosdb.* metrics");
        }
    });
}

/// Runs `run` on a blocking thread with an [`Output`], answering once the response starts.
async fn respond(
    state: &Arc<AppState>,
    text: String,
    run: fn(&Engine, &Query, &mut Output) -> Result<(), ApiError>,
    peer: Option<std::net::SocketAddr>,
) -> Result<Response<Body>, ApiError> {
    let started = std::time::Instant::now();
    let started_ms = crate::datastore::embedded::now_ms();
    let waiting = crate::reporter::counters::counters().query_waits();
    let permit = state
        .query_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(Some(e.to_string())));
    let queries_waiting = waiting.done();
    let permit = permit?;
    let (mut out, start) = Output::new();
    let st = state.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut eng = engine(&st);
        let ops = &st.options.ops;
        if peer.is_some() && ops.reporter {
            eng.stats = Some(Arc::default());
        }
        let result = parse(&st, &runtime, &text).and_then(|q| run(&eng, &q, &mut out));
        let failed = result.is_err();
        out.finish(result);
        if let Some(peer) = peer.filter(|_| ops.reporter || ops.log_queries) {
            let rec = crate::reporter::query_log::QueryRecord {
                started_ms,
                elapsed: started.elapsed(),
                failed,
                remote: peer.ip().to_string(),
                json: &text,
                queries_waiting,
                metrics: eng.stats.map(|s| s.lock().clone()).unwrap_or_default(),
            };
            report(&st, &runtime, rec);
        }
    });
    match start
        .await
        .map_err(|_| ApiError::Internal(Some("query worker ended unexpectedly".into())))?
    {
        OutputStart::Complete(Ok(body)) => Ok(response::json(StatusCode::OK, body)),
        OutputStart::Complete(Err(e)) => Err(e),
        OutputStart::Streaming(rx) => {
            let stream = ReceiverStream::new(rx).map(|r| r.map(Frame::data));
            let mut resp = Response::new(BodyExt::boxed(StreamBody::new(stream)));
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(response::JSON_UTF8));
            response::set_headers(&mut resp);
            Ok(resp)
        }
    }
}

/// `POST /api/v1/datapoints/query` (and the GET form); `peer` is the client, for the
/// slow-query log and self-reporting.
pub async fn run_query(
    state: &Arc<AppState>,
    text: String,
    peer: std::net::SocketAddr,
) -> Result<Response<Body>, ApiError> {
    respond(state, text, query::run_query, Some(peer)).await
}

/// `POST /api/v1/datapoints/query/tags`.
pub async fn query_tags(state: &Arc<AppState>, text: String) -> Result<Response<Body>, ApiError> {
    respond(state, text, query::run_tags, None).await
}

/// `POST /api/v1/datapoints/delete`: 204 once the selected points are gone.
pub async fn delete(state: &Arc<AppState>, text: String) -> Result<Response<Body>, ApiError> {
    let st = state.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        parse(&st, &runtime, &text).and_then(|q| query::run_delete(&engine(&st), &q))
    })
    .await
    .map_err(|e| ApiError::Internal(Some(e.to_string())))??;
    Ok(response::no_content())
}

/// `DELETE /api/v1/metric/{name}`: every point of the metric, and its name.
pub async fn delete_metric(
    state: &Arc<AppState>,
    name: String,
) -> Result<Response<Body>, ApiError> {
    let ds = state.datastore.clone();
    tokio::task::spawn_blocking(move || ds.delete(&name, i64::MIN, i64::MAX, &TagFilter::all()))
        .await
        .map_err(|e| ApiError::Internal(Some(e.to_string())))??;
    Ok(response::no_content())
}

/// A `Stream` over an mpsc receiver (what `tokio-stream`'s wrapper does, without the crate).
mod tokio_stream_shim {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::sync::mpsc;

    /// Yields the receiver's items until the channel closes.
    pub struct ReceiverStream<T>(mpsc::Receiver<T>);

    impl<T> ReceiverStream<T> {
        /// Wraps a receiver.
        pub fn new(rx: mpsc::Receiver<T>) -> Self {
            ReceiverStream(rx)
        }
    }

    impl<T> futures_util::Stream for ReceiverStream<T> {
        type Item = T;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
            self.0.poll_recv(cx)
        }
    }
}
