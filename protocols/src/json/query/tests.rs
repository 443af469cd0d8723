//! Query parser tests: every conformance file, then edge cases (in `edge`).

mod edge;
mod fakes;

use std::path::PathBuf;

use super::*;

const NOW: i64 = 1_700_000_000_000;
const UNIT_LIST: &str = "MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS";

fn opts() -> QueryParseOptions {
    QueryParseOptions {
        now: NOW,
        default_time_zone: "America/Los_Angeles".into(),
        sink: None,
    }
}

fn parse(text: &str) -> Result<Query, QueryError> {
    let (registry, _) = fakes::registry();
    parse_query(text, &registry, &opts())
}

fn bad(msg: &str) -> Result<(), QueryError> {
    Err(QueryError::BadRequest(vec![msg.to_string()]))
}

fn unit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/unit")
}

fn read(file: &str) -> String {
    std::fs::read_to_string(unit_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Expected outcome of every `invalid-query-*.json` (spec http-api §4.7); `None` = valid.
fn invalid_files() -> Vec<(&'static str, Option<String>)> {
    let agg = "query.metric[0].aggregators[0]";
    let gb = "query.metric[0].group_by[0]";
    let end = "query.metric[0].end_time must be greater than the start time".to_string();
    let tag_value = "query.metric[0].tags[0].host value must not be null or empty".to_string();
    vec![
        ("absoluteEndTime-less-than-startTime", Some(end.clone())),
        ("aggregators-div-divisor-zero", Some(format!("{agg}.m_divisor may not be zero"))),
        ("aggregators-div-no-divisor", Some(format!("{agg}.m_divisor may not be zero"))),
        ("aggregators-empty-name", Some(format!("{agg} must have a name"))),
        ("aggregators-empty", None),
        ("aggregators-no-name", Some(format!("{agg} must have a name"))),
        ("aggregators-percentile-no-percentile", Some(format!("{agg}.percentile may not be zero"))),
        ("aggregators-percentile-percentile-zero", Some(format!("{agg}.percentile may not be zero"))),
        ("aggregators-percentile-percentile", Some(format!("{agg}.percentile multiple points"))),
        (
            "aggregators-sampling-timezone",
            Some(format!("query.bogus is not a valid time zone, must be one of {}", time::zone_id_list())),
        ),
        (
            "aggregators-sampling-unit",
            Some(format!("{agg}.bogus is not a valid time unit, must be one of {UNIT_LIST}")),
        ),
        ("aggregators-sampling-value", Some(format!("{agg}.sampling.value must be greater than or equal to 0"))),
        ("aggregators-sum-no-sampling", None),
        ("aggregators", Some(format!("{agg}.bogus invalid aggregators name"))),
        ("cache-time", Some("cache_time must be greater than or equal to 0".into())),
        ("empty-name", Some("query.metric[0].name may not be empty".into())),
        ("group_by-empty-name", Some("query.metric[0].group_by[1] must have a name".into())),
        ("group_by-no-name", Some(format!("{gb} must have a name"))),
        ("group_by-tag-empty-tags", Some(format!("{gb}.tags may not be empty"))),
        ("group_by-tag-missing-tags", Some(format!("{gb}.tags may not be null"))),
        ("group_by-time-missing-group_count", Some(format!("{gb}.groupCount must be greater than or equal to 1"))),
        ("group_by-time-missing-range_size", Some(format!("{gb}.rangeSize may not be null"))),
        (
            "group_by-time-range_size_unit",
            Some(format!("{gb}.bogus is not a valid time unit, must be one of {UNIT_LIST}")),
        ),
        ("group_by-time-range_size_value", Some(format!("{gb}.range_size.value must be greater than or equal to 0"))),
        ("group_by-value-range_size", Some(format!("{gb}.range_size.value must be greater than or equal to 0"))),
        ("group_by", Some(format!("{gb}.bogus invalid group_by name"))),
        (
            "json",
            Some("com.google.gson.stream.MalformedJsonException: Use JsonReader.setLenient(true) to accept malformed JSON at line 2 column 22".into()),
        ),
        ("no-aggregators", None),
        ("no-metric", Some("query.metric[] must have a size of at least 1".into())),
        ("no-name", Some("query.metric[0].name may not be null".into())),
        ("no-start_date", Some("query.metric[0].start_time relative or absolute time must be set".into())),
        ("relative-endTime-value", Some("end_relative.value must be greater than or equal to 0".into())),
        ("relative-startTime-value", Some("start_relative.value must be greater than or equal to 0".into())),
        ("relative-unit", Some(format!("query.bogus is not a valid time unit, must be one of {UNIT_LIST}"))),
        ("relativeEndTime-less-than-startTime", Some(end)),
        ("tag-empty-name", Some("query.metric[0].tags[0] name must not be empty".into())),
        ("tag-empty-value-in-array", Some(tag_value.clone())),
        ("tag-empty-value", Some(tag_value)),
    ]
}

#[test]
fn every_invalid_query_file_gives_its_message() {
    let table = invalid_files();
    let mut failures = Vec::new();
    for (stem, want) in &table {
        let file = format!("invalid-query-metric-{stem}.json");
        let got = parse(&read(&file)).map(|_| ());
        let want = match want {
            None => Ok(()),
            Some(m) => Err(QueryError::BadRequest(vec![m.clone()])),
        };
        if got != want {
            failures.push(format!("{file}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The table covers the whole directory.
    let mut on_disk: Vec<String> = std::fs::read_dir(unit_dir())
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    on_disk.retain(|f| f.starts_with("invalid-query-"));
    assert_eq!(on_disk.len(), table.len(), "{on_disk:?}");
}

#[test]
fn the_production_registry_refuses_simple_time() {
    let (mut registry, _) = fakes::registry();
    registry = {
        let mut r = Registry::new();
        for g in registry.group_bys().filter(|g| g.name() != "simpleTime") {
            assert!(r.register_group_by(g.clone()).is_ok());
        }
        r
    };
    let got = parse_query(
        &read("invalid-query-metric-no-aggregators.json"),
        &registry,
        &opts(),
    );
    assert_eq!(
        got.map(|_| ()),
        bad("query.metric[0].group_by[1].simpleTime invalid group_by name")
    );
}

#[test]
fn valid_query_files_parse() {
    let one = |file: &str| -> MetricQuery {
        let q = parse(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(q.metrics.len(), 1, "{file}");
        q.metrics
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{file}"))
    };
    let m = one("query-metric-absolute-dates-with-groupby.json");
    assert_eq!(
        (m.name.as_str(), m.start, m.end),
        ("abc.123", 784041330, 788879730)
    );
    assert_eq!((m.aggregators.len(), m.group_bys.len()), (1, 2));
    let m = one("query-metric-absolute-dates.json");
    assert_eq!(
        m.tags,
        vec![
            ("host".into(), vec!["foo".into()]),
            ("type".into(), vec!["bar".into()])
        ]
    );
    assert_eq!(
        m.cache_string,
        "784041330:788879730:abc.123:host=foo:type=bar:"
    );
    let m = one("query-metric-negative-absolute-dates.json");
    assert_eq!((m.start, m.end), (-200, -100));
    let m = one("query-metric-two-tags.json");
    assert_eq!(m.cache_string, "784041330:788879730:bob:host=bar:host=foo:");
    assert_eq!(
        m.tags,
        vec![("host".into(), vec!["bar".into(), "foo".into()])]
    );
    assert!(!m.exclude_tags);
    let m = one("query-metric-exclude-tags.json");
    assert!(m.exclude_tags);
    assert_eq!(m.cache_string, "784041330:788879730:bob:host=bar:host=foo:");
    let m = one("query-metric-one-tag.json");
    assert_eq!(m.tags, vec![("host".into(), vec!["bar".into()])]);
    let m = one("query-metric-no-tags.json");
    assert!(m.tags.is_empty());
    assert_eq!((m.limit, m.order, m.alias), (0, Order::Asc, None));
    let m = one("query-metric-start_absolute-before-epoch.json");
    assert_eq!((m.start, m.end), (-1, 788879730));
    let m = one("query-metric-relative-startTime-before-epoch.json");
    // 2023-11-14T22:13:20Z minus 200 years, same time of day.
    assert_eq!(m.start, NOW - 73_049 * 86_400_000);
    assert_eq!(m.end, i64::MAX);
    assert_eq!(
        m.cache_string,
        "Duration{value=200, unit=YEARS}:abc.123:host=foo:type=bar:"
    );
    for file in [
        "query-metric-null-tag-value.json",
        "query-metric-null-tag-value-in-array.json",
    ] {
        let got = parse(&read(file)).map(|_| ());
        assert_eq!(
            got,
            bad("query.metric[0].tags[0].host value must not be null or empty"),
            "{file}"
        );
    }
}
