//! The differences kairosdb-rs makes on purpose. The Java oracle is the Maven Central build
//! 1.3.0-1, whose jar manifest names Git revision 612b12bd, the tag v1.3.0; where 1.2 and 1.3
//! differ both follow 1.3.0, so those cases compare equal. What remains are the few places where
//! the project adopted a later repository-head behaviour or kept a 1.2 endpoint
//! (../shared/spec/http-api.md Appendix B; README "Differences from the Java version"). Each
//! entry names the Java source file that shows the 1.3.0 behaviour.

use serde_json::Value;

/// A known difference: why it exists and where Java 1.3.0 does otherwise.
#[derive(Debug)]
pub struct Expected {
    /// Why kairosdb-rs answers differently.
    pub why: &'static str,
    /// The 1.3.0 source file (path in the KairosDB repository) showing Java's behaviour.
    pub source: &'static str,
    /// When set, both JSON answers (same status) pass through it and must then be equal: the
    /// difference is confined to what it removes.
    pub normalize: Option<fn(&mut Value)>,
}

/// Sorts the `results` list of a name-list answer.
fn sort_results(v: &mut Value) {
    if let Some(Value::Array(a)) = v.get_mut("results") {
        a.sort_by_key(|s| s.to_string());
    }
}

/// Cuts each error text at the zone list (`... must be one of [...]`).
fn drop_zone_list(v: &mut Value) {
    if let Some(errors) = v.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors {
            if let Some(text) = e.as_str() {
                let cut = text.find("must be one of").map_or(text, |i| &text[..i]);
                *e = Value::String(cut.to_string());
            }
        }
    }
}

/// Removes the `alias` member of every query result.
fn drop_alias(v: &mut Value) {
    if let Some(queries) = v.get_mut("queries").and_then(Value::as_array_mut) {
        for q in queries {
            if let Some(results) = q.get_mut("results").and_then(Value::as_array_mut) {
                for r in results {
                    if let Some(o) = r.as_object_mut() {
                        o.remove("alias");
                    }
                }
            }
        }
    }
}

/// `/api/v1/metricnames`: 1.3.0 on Cassandra lists names in the hash order of its index
/// scan; kairosdb-rs sorts them, as the repository head does (commit 978729f8).
pub static METRICNAMES_ORDER: Expected = Expected {
    why: "metric names are sorted (repository head, commit 978729f8); 1.3.0 answers in Cassandra hash order",
    source: "src/main/java/org/kairosdb/datastore/cassandra/CassandraDatastore.java (getMetricNames)",
    normalize: Some(sort_results),
};

/// The `alias` member of a query metric: 1.3.0 ignores it, the head echoes it in results.
pub static ALIAS_ECHOED: Expected = Expected {
    why: "the query metric's alias is echoed in its results (repository head, commit f3ad6260); 1.3.0 ignores it",
    source: "src/main/java/org/kairosdb/core/http/rest/json/QueryParser.java (parseQueryMetric has no alias)",
    normalize: Some(drop_alias),
};

/// An empty string value with `"type":"string"`: 1.3.0 refuses it, the head stores it.
pub static EMPTY_STRING_TYPED: Expected = Expected {
    why: "an empty string with an explicit \"type\":\"string\" is stored (repository head, commit bf7152df); 1.3.0 answers 400 may not be empty",
    source: "src/main/java/org/kairosdb/core/http/rest/json/DataPointsParser.java (Validator.isNotNullOrEmpty on the datapoints value)",
    normalize: None,
};

/// `GET /api/v1/tagnames` and `/tagvalues`: gone in 1.3.0 (404), kept from 1.2 in kairosdb-rs.
pub static TAG_ENDPOINTS_KEPT: Expected = Expected {
    why: "/tagnames and /tagvalues answer as in KairosDB 1.2 (README); 1.3.0 removed them and answers 404",
    source: "src/main/java/org/kairosdb/core/http/rest/MetricsResource.java (no /tagnames or /tagvalues path)",
    normalize: None,
};

/// Zone ids: kairosdb-rs knows the current IANA zones (chrono-tz), Java those of Joda-Time
/// 2.10.6's tz data 2020a, so the list in the invalid-zone error differs by a few names.
pub static TZ_DATA: Expected = Expected {
    why: "time zones come from current IANA data (Europe/Kyiv, Pacific/Kanton... accepted; US/Pacific-New, removed in 2020b, refused), listed in the invalid-zone error; Java lists Joda-Time 2.10.6's 2020a zones",
    source: "src/main/java/org/kairosdb/core/http/rest/json/QueryParser.java (DateTimeZone.getAvailableIDs in the error)",
    normalize: Some(drop_zone_list),
};

/// Exception texts in 500 bodies: kairosdb-rs copies Java 8's (the runtime 1.3.0 was built
/// for); the oracle runs on JDK 17, whose ClassCastException, NullPointerException and
/// ArrayIndexOutOfBoundsException messages are worded differently.
pub static JDK8_MESSAGES: Expected = Expected {
    why: "500 bodies carry Java 8's exception messages (KairosDB 1.3.0 is a Java 8 build); the oracle's JDK 17 words them differently",
    source: "src/main/java/org/kairosdb/core/http/rest/json/QueryParser.java (getAsJsonArray(\"metrics\")), src/main/java/org/kairosdb/core/groupby/BinGroupBy.java (bins[0])",
    normalize: None,
};

/// A negative `limit`: kairosdb-rs reads it as no limit; Java on Cassandra puts it into the
/// CQL `LIMIT` and answers 500 with the driver's InvalidQueryException (README).
pub static NEGATIVE_LIMIT: Expected = Expected {
    why: "a negative limit means no limit; Java on Cassandra sends it to CQL and answers 500 'LIMIT must be strictly positive' (a store error leaking, not validation)",
    source: "src/main/java/org/kairosdb/datastore/cassandra/CassandraDatastore.java (useLimit = query.getLimit() != 0, bound into the CQL LIMIT)",
    normalize: None,
};

/// Drops the `Ingest-Queue` entry of a health status list.
fn drop_ingest_queue(v: &mut Value) {
    if let Value::Array(a) = v {
        a.retain(|e| !e.as_str().is_some_and(|s| s.starts_with("Ingest-Queue:")));
    }
}

/// `/api/v1/health/status`: kairosdb-rs adds a third check, `Ingest-Queue`, which fails while
/// the bounded ingest queue is saturated (README, Operations); Java has only two.
pub static INGEST_QUEUE_CHECK: Expected = Expected {
    why: "health lists a third check, Ingest-Queue (queue saturation), beside Java's two",
    source: "src/main/java/org/kairosdb/core/health/HealthCheckResource.java",
    normalize: Some(drop_ingest_queue),
};
