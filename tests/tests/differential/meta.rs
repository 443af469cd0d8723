//! The metadata endpoints (names, tags, features) and deletes: the same delete on both, then
//! the same reads.

use serde_json::{json, Value};

use kairosdb_tests::http::url_encode;

use crate::compare::Case;
use crate::corpus::{metric, query};
use crate::data::{utc, Dataset, ALL};
use crate::expected::{INGEST_QUEUE_CHECK, METRICNAMES_ORDER, TAG_ENDPOINTS_KEPT};

/// Metric names under this run's prefix, tag lookups, and the feature lists.
pub fn metadata(ds: &Dataset) -> Vec<Case> {
    let p = &ds.prefix;
    let names = |label: &str, prefix: &str| {
        Case::get(
            format!("meta/metricnames/{label}"),
            &format!("/api/v1/metricnames?prefix={}", url_encode(prefix)),
        )
    };
    let mut out = vec![
        names("run", &format!("{p}.")).expect(&METRICNAMES_ORDER),
        names("one", &ds.metric("long")),
        names("string", &ds.metric("str")),
        names("none", &ds.metric("zzz")),
        Case::get("meta/tagnames", "/api/v1/tagnames").expect(&TAG_ENDPOINTS_KEPT),
        Case::get("meta/tagvalues", "/api/v1/tagvalues").expect(&TAG_ENDPOINTS_KEPT),
        Case::get("meta/features", "/api/v1/features"),
        Case::get("meta/health/status", "/api/v1/health/status").expect(&INGEST_QUEUE_CHECK),
        Case::get("meta/health/check", "/api/v1/health/check"),
        Case::get("meta/features/aggregators", "/api/v1/features/aggregators"),
        Case::get("meta/features/group_by", "/api/v1/features/group_by"),
        Case::get("bad-meta/features/groupby", "/api/v1/features/groupby"),
    ];
    let tags_path = "/api/v1/datapoints/query/tags";
    for m in ["long", "double", "mixed", "string", "missing"] {
        let q = query(ALL, metric(&ds.metric(m), json!({})), json!({}));
        out.push(Case::post(format!("meta/query-tags/{m}"), tags_path, &q));
    }
    let long = ds.metric("long");
    for (label, extra) in [
        ("host-a", json!({"tags": {"host": ["a"]}})),
        ("rack", json!({"tags": {"rack": ["r1"]}})),
        ("none", json!({"tags": {"host": ["nope"]}})),
    ] {
        let q = query(ALL, metric(&long, extra), json!({}));
        out.push(Case::post(
            format!("meta/query-tags/long/{label}"),
            tags_path,
            &q,
        ));
    }
    let narrow = (utc(2024, 2, 28, 0, 0), utc(2024, 2, 28, 3, 0));
    out.push(Case::post(
        "meta/query-tags/long/narrow",
        tags_path,
        &query(narrow, metric(&long, json!({})), json!({})),
    ));
    // The GET form of a query.
    let q = query(
        narrow,
        metric(&long, json!({"tags": {"host": ["a"]}})),
        json!({}),
    );
    out.push(Case::get(
        "meta/get-query",
        &format!(
            "/api/v1/datapoints/query?query={}",
            url_encode(&q.to_string())
        ),
    ));
    out
}

/// The deletes, sent to both servers (compared like any request).
pub fn deletes(ds: &Dataset) -> Vec<Case> {
    let del = ds.metric("del");
    let leap = (utc(2024, 2, 28, 0, 0), utc(2024, 2, 29, 12, 0));
    let epoch = (-86_400_000, 3_600_000);
    vec![
        Case::post(
            "delete/range",
            "/api/v1/datapoints/delete",
            &query(leap, metric(&del, json!({})), json!({})),
        ),
        Case::post(
            "delete/range-tag",
            "/api/v1/datapoints/delete",
            &query(
                epoch,
                metric(&del, json!({"tags": {"host": ["a"]}})),
                json!({}),
            ),
        ),
        Case::raw(
            "delete/metric",
            "DELETE",
            &format!("/api/v1/metric/{}", url_encode(&ds.metric("delall"))),
            String::new(),
        ),
    ]
}

/// The reads after the deletes.
pub fn after_deletes(ds: &Dataset) -> Vec<Case> {
    let del = ds.metric("del");
    let delall = ds.metric("delall");
    let count = |m: &str| -> Value {
        metric(
            m,
            json!({"aggregators": [{"name": "count", "sampling": {"value": 1, "unit": "days"}, "align_sampling": true}]}),
        )
    };
    vec![
        Case::query(
            "deleted/raw",
            &query(ALL, metric(&del, json!({})), json!({})),
        ),
        Case::query("deleted/count", &query(ALL, count(&del), json!({}))),
        Case::query(
            "deleted/host-b",
            &query(
                ALL,
                metric(&del, json!({"tags": {"host": ["b"]}})),
                json!({}),
            ),
        ),
        Case::query(
            "deleted-metric/raw",
            &query(ALL, metric(&delall, json!({})), json!({})),
        ),
        Case::get(
            "deleted-metric/names",
            &format!("/api/v1/metricnames?prefix={}", url_encode(&delall)),
        ),
        Case::post(
            "deleted-metric/tags",
            "/api/v1/datapoints/query/tags",
            &query(ALL, metric(&delall, json!({})), json!({})),
        ),
    ]
}
