//! Version, metric/tag names, health and features (REST/MetricsResource.java,
//! CORE/health/HealthCheckResource.java, REST/FeaturesResource.java).

use std::sync::Arc;

use hyper::{Response, StatusCode};
use protocols::json::format::push_quoted;

use super::error::ApiError;
use super::response::{self, Body};
use crate::state::{version_text, AppState};

/// `GET /api/v1/version`: string-built body with a space after the colon and a newline.
pub fn version() -> Response<Body> {
    let mut body = Vec::new();
    body.extend_from_slice(b"{\"version\": ");
    push_quoted(&mut body, &version_text());
    body.extend_from_slice(b"}\n");
    response::json(StatusCode::OK, body)
}

/// `{"results":[...]}` in org.json style.
fn results(names: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + names.iter().map(|n| n.len() + 3).sum::<usize>());
    out.extend_from_slice(b"{\"results\":[");
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_quoted(&mut out, n);
    }
    out.extend_from_slice(b"]}");
    out
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(Some(e.to_string())))
}

/// `GET /api/v1/metricnames[?prefix=]`; an empty prefix means no filter.
pub async fn metric_names(
    state: &Arc<AppState>,
    prefix: Option<String>,
) -> Result<Response<Body>, ApiError> {
    let ds = state.datastore.clone();
    let prefix = prefix.filter(|p| !p.is_empty());
    let names = blocking(move || ds.metric_names(prefix.as_deref()))
        .await?
        .map_err(|e| ApiError::InternalBare(e.to_string()))?;
    Ok(response::json(StatusCode::OK, results(&names)))
}

/// `GET /api/v1/tagnames` (KairosDB 1.2; removed in 1.3, still called by old clients).
pub async fn tag_names(state: &Arc<AppState>) -> Result<Response<Body>, ApiError> {
    let ds = state.datastore.clone();
    let names = blocking(move || ds.tag_names()).await??;
    Ok(response::json(StatusCode::OK, results(&names)))
}

/// `GET /api/v1/tagvalues` (KairosDB 1.2; removed in 1.3, still called by old clients).
pub async fn tag_values(state: &Arc<AppState>) -> Result<Response<Body>, ApiError> {
    let ds = state.datastore.clone();
    let values = blocking(move || ds.tag_values()).await??;
    Ok(response::json(StatusCode::OK, results(&values)))
}

/// Runs the health checks: (name, healthy). `Datastore-Query` probes the datastore within
/// `kairosdb.health.datastore_timeout_ms` (CORE/health/DatastoreQueryHealthCheck.java);
/// `Ingest-Queue` (ours) fails while the ingest queue holds senders back.
async fn checks(state: &Arc<AppState>) -> Vec<(&'static str, bool)> {
    let ds = state.datastore.clone();
    let timeout = std::time::Duration::from_millis(state.options.ops.health_timeout_ms);
    // Like Java, a real read: the rows of `kairosdb.jvm.thread_count` over the last ten minutes.
    let probe = tokio::time::timeout(
        timeout,
        blocking(move || {
            ds.check_health()?;
            let start = crate::datastore::embedded::now_ms() - 10 * 60 * 1000;
            let all = crate::datastore::TagFilter::all();
            ds.find_rows("kairosdb.jvm.thread_count", start, i64::MAX, &all)
                .map(|_| ())
        }),
    )
    .await;
    let datastore_ok = match probe {
        Ok(Ok(Ok(()))) => true,
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %e, "health check: datastore probe failed");
            false
        }
        Ok(Err(e)) => {
            tracing::warn!(error = ?e, "health check: datastore probe panicked");
            false
        }
        Err(_) => {
            tracing::warn!(
                timeout_ms = timeout.as_millis() as u64,
                "health check: datastore probe timed out"
            );
            false
        }
    };
    let queue_ok = !state.ingest.saturated();
    if !queue_ok {
        tracing::warn!(
            queued_points = state.ingest.queued_points(),
            "health check: ingest queue saturated"
        );
    }
    // There are no JVM threads to deadlock; the name stays because scripts grep for it.
    vec![
        ("JVM-Thread-Deadlock", true),
        ("Datastore-Query", datastore_ok),
        ("Ingest-Queue", queue_ok),
    ]
}

/// `GET /api/v1/health/check`: the configured code (204) when healthy, else 500; no body.
pub async fn health_check(state: &Arc<AppState>) -> Result<Response<Body>, ApiError> {
    let healthy = checks(state).await.iter().all(|(_, ok)| *ok);
    let status = if healthy {
        StatusCode::from_u16(state.options.http.healthy_response_code)
            .unwrap_or(StatusCode::NO_CONTENT)
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let mut resp = response::bare(status);
    response::set_headers(&mut resp);
    Ok(resp)
}

/// `GET /api/v1/health/status`: `["JVM-Thread-Deadlock: OK","Datastore-Query: OK"]`.
pub async fn health_status(state: &Arc<AppState>) -> Result<Response<Body>, ApiError> {
    let list: Vec<String> = checks(state)
        .await
        .into_iter()
        .map(|(n, ok)| format!("{n}: {}", if ok { "OK" } else { "FAIL" }))
        .collect();
    let body = serde_json::to_vec(&list).map_err(|e| ApiError::Internal(Some(e.to_string())))?;
    Ok(response::json(StatusCode::OK, body))
}

/// `GET /api/v1/features[/{feature}]`.
pub fn features(state: &Arc<AppState>, feature: Option<&str>) -> Result<Response<Body>, ApiError> {
    let body = match feature {
        None => aggregators::features::features_json(&state.registry),
        Some(f) => aggregators::features::feature_family_json(&state.registry, f)
            .ok_or_else(|| ApiError::NotFound(format!("Unknown feature '{}'", f.to_lowercase())))?,
    };
    Ok(response::json(StatusCode::OK, body))
}
