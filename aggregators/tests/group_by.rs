//! Group-bys: the Java unit tests (Time/Value/BinGroupByTest) and validation texts.

mod common;

use common::*;
use plugin_api::{DataPoint, GroupBy, ParamError, QueryContext};
use serde_json::json;

fn group_by(params: serde_json::Value, ctx: &QueryContext) -> Result<Box<dyn GroupBy>, ParamError> {
    let map = params.as_object().cloned().unwrap_or_default();
    let name = map["name"].as_str().unwrap_or("").to_string();
    let reg = registry();
    reg.group_by(&name).expect("group-by").create(&map, ctx)
}

fn ids(g: &dyn GroupBy, pts: &[DataPoint]) -> Vec<i64> {
    let mut out = Vec::new();
    g.group_ids(pts, &mut out).expect("group ids");
    out
}

#[test]
fn value_group_by() {
    let g = group_by(json!({"name": "value", "range_size": 3}), &ctx()).unwrap();
    assert_eq!(
        g.result_json(2),
        "{\"name\":\"value\",\"range_size\":3,\"group\":{\"group_number\":2}}"
    );
    assert_eq!(
        ids(
            g.as_ref(),
            &longs(&[(1, 0), (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6)])
        ),
        vec![0, 0, 0, 1, 1, 1, 2]
    );
    let d = doubles(&[
        (1, 0.0),
        (1, 1.2),
        (1, 2.3),
        (1, 3.3),
        (1, 4.4),
        (1, 5.2),
        (1, 6.1),
    ]);
    assert_eq!(ids(g.as_ref(), &d), vec![0, 0, 0, 1, 1, 1, 2]);
    // cast before division; text is -1
    let odd = vec![
        DataPoint::double(1, -5.5),
        DataPoint::double(1, f64::NAN),
        DataPoint::long(1, -4),
        text(1, "x"),
    ];
    assert_eq!(ids(g.as_ref(), &odd), vec![-1, 0, -1, -1]);
    let big = group_by(json!({"name": "value", "range_size": 1}), &ctx()).unwrap();
    assert_eq!(ids(big.as_ref(), &longs(&[(1, 4_294_967_297)])), vec![1]);
    assert_eq!(
        ids(big.as_ref(), &doubles(&[(1, 1e12)])),
        vec![i64::from(i32::MAX)]
    );
    for bad in [
        json!({"name": "value"}),
        json!({"name": "value", "range_size": 0}),
    ] {
        assert_eq!(
            group_by(bad, &ctx()).err(),
            Some(ParamError::Invalid(
                "rangeSize must be greater than or equal to 1".into()
            ))
        );
    }
}

#[test]
fn bin_group_by() {
    let g = group_by(json!({"name": "bin", "bins": [2, 5, 7]}), &ctx()).unwrap();
    assert_eq!(
        g.result_json(3),
        "{\"name\":\"bin\",\"bins\":[2,5,7],\"group\":{\"bin_number\":3}}"
    );
    assert_eq!(
        ids(
            g.as_ref(),
            &longs(&[(1, 1), (1, 2), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8)])
        ),
        vec![0, 1, 1, 2, 2, 3, 3]
    );
    let d = doubles(&[
        (1, 1.9),
        (1, 2.0),
        (1, 4.9),
        (1, 5.0),
        (1, 6.9),
        (1, 7.0),
        (1, 7.1),
    ]);
    assert_eq!(ids(g.as_ref(), &d), vec![0, 1, 1, 2, 2, 3, 3]);
    assert_eq!(ids(g.as_ref(), &[text(1, "a")]), vec![-1]);
    let g = group_by(json!({"name": "bin", "bins": [2.5, 10]}), &ctx()).unwrap();
    assert_eq!(
        g.result_json(0),
        "{\"name\":\"bin\",\"bins\":[2.5,10],\"group\":{\"bin_number\":0}}"
    );
    // missing or empty bins fail only when a number is grouped
    let g = group_by(json!({"name": "bin"}), &ctx()).unwrap();
    assert_eq!(ids(g.as_ref(), &[text(1, "a")]), vec![-1]);
    let mut out = Vec::new();
    assert_eq!(
        g.group_ids(&longs(&[(1, 1)]), &mut out)
            .unwrap_err()
            .to_string(),
        "null"
    );
    let g = group_by(json!({"name": "bin", "bins": []}), &ctx()).unwrap();
    assert_eq!(
        g.group_ids(&longs(&[(1, 1)]), &mut out)
            .unwrap_err()
            .to_string(),
        "0"
    );
}

#[test]
fn time_group_by_days_and_json() {
    let g = group_by(
        json!({"name": "time", "range_size": {"value": 2, "unit": "days"}, "group_count": 14}),
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        g.result_json(2),
        "{\"name\":\"time\",\"range_size\":{\"value\":2,\"unit\":\"DAYS\"},\"group_count\":14,\"group\":{\"group_number\":2}}"
    );
    // day of week: start on a Sunday a week before
    let sunday = utc(2014, 6, 1, 10, 0, 0, 0);
    let start = sunday - 7 * 86_400_000;
    let g = group_by(
        json!({"name": "time", "range_size": {"value": 1, "unit": "days"}, "group_count": 7}),
        &ctx_at(start),
    )
    .unwrap();
    let days: Vec<DataPoint> = (0..7)
        .map(|d| DataPoint::long(sunday + d * 86_400_000, 1))
        .collect();
    assert_eq!(ids(g.as_ref(), &days), vec![0, 1, 2, 3, 4, 5, 6]);
    // before the start: Java remainder keeps the sign
    assert_eq!(
        ids(g.as_ref(), &longs(&[(start - 86_400_000, 1)])),
        vec![-1]
    );
    // a year is 52 weeks
    let g = group_by(
        json!({"name": "time", "range_size": {"value": 1, "unit": "years"}, "group_count": 10}),
        &ctx_at(0),
    )
    .unwrap();
    assert_eq!(
        ids(
            g.as_ref(),
            &longs(&[(364 * 86_400_000, 1), (364 * 86_400_000 - 1, 1)])
        ),
        vec![1, 0]
    );
    let g = group_by(
        json!({"name": "time", "range_size": {"value": 0, "unit": "hours"}, "group_count": 1}),
        &ctx(),
    )
    .unwrap();
    let mut out = Vec::new();
    assert_eq!(
        g.group_ids(&longs(&[(1, 1)]), &mut out)
            .unwrap_err()
            .to_string(),
        "/ by zero"
    );
}

#[test]
fn time_group_by_months() {
    let start = utc(2010, 1, 1, 1, 0, 0, 0);
    let g = group_by(
        json!({"name": "time", "range_size": {"value": 1, "unit": "months"}, "group_count": 24}),
        &ctx_at(start),
    )
    .unwrap();
    let d = |y: i32, m: u32, day: u32| DataPoint::long(utc(y, m, day, 0, 0, 0, 0), 1);
    let pts = vec![
        d(2010, 1, 1),
        d(2010, 1, 31),
        d(2010, 2, 1),
        d(2010, 2, 28),
        d(2010, 3, 1),
        d(2010, 3, 31),
        d(2010, 7, 1),
        d(2010, 7, 31),
        d(2010, 12, 1),
        d(2010, 12, 31),
        d(2011, 1, 31),
        d(2011, 2, 28),
        d(2012, 1, 31),
        d(2012, 2, 28),
    ];
    assert_eq!(
        ids(g.as_ref(), &pts),
        vec![0, 0, 1, 1, 2, 2, 6, 6, 11, 11, 12, 13, 0, 1]
    );
}

#[test]
fn java_calendar_is_julian_before_1582() {
    use aggregators::group_by::time::java_calendar_year_month;
    assert_eq!(
        java_calendar_year_month(utc(1582, 10, 15, 0, 0, 0, 0)),
        (1582, 9)
    );
    // The day before the cutover is Julian 1582-10-04.
    assert_eq!(
        java_calendar_year_month(utc(1582, 10, 15, 0, 0, 0, 0) - 1),
        (1582, 9)
    );
    // Proleptic Gregorian 1582-10-01 is Julian 1582-09-21.
    assert_eq!(
        java_calendar_year_month(utc(1582, 10, 1, 0, 0, 0, 0)),
        (1582, 8)
    );
    // Year 0 (1 BC) is era year 1.
    assert_eq!(java_calendar_year_month(utc(0, 6, 1, 0, 0, 0, 0)).0, 1);
}

#[test]
fn time_group_by_validation() {
    let e = group_by(json!({"name": "time", "group_count": 3}), &ctx()).err();
    assert_eq!(
        e,
        Some(ParamError::Invalid("rangeSize may not be null".into()))
    );
    let e = group_by(
        json!({"name": "time", "range_size": {"value": 1, "unit": "days"}}),
        &ctx(),
    )
    .err();
    assert_eq!(
        e,
        Some(ParamError::Invalid(
            "groupCount must be greater than or equal to 1".into()
        ))
    );
    let e = group_by(
        json!({"name": "time", "range_size": {"value": -1, "unit": "days"}, "group_count": 1}),
        &ctx(),
    )
    .err();
    assert_eq!(
        e,
        Some(ParamError::Invalid(
            "range_size.value must be greater than or equal to 0".into()
        ))
    );
    let e = group_by(
        json!({"name": "time", "range_size": {"value": 1, "unit": "bogus"}, "group_count": 1}),
        &ctx(),
    )
    .err();
    assert_eq!(
        e.map(|e| e.to_string()),
        Some("bogus is not a valid time unit, must be one of MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS".into())
    );
}

#[test]
fn tag_group_by() {
    let g = group_by(json!({"name": "tag", "tags": ["host", "dc"]}), &ctx()).unwrap();
    assert_eq!(
        g.tag_names(),
        Some(&["host".to_string(), "dc".to_string()][..])
    );
    let e = group_by(json!({"name": "tag"}), &ctx()).err();
    assert_eq!(e, Some(ParamError::Invalid("tags may not be null".into())));
    let e = group_by(json!({"name": "tag", "tags": []}), &ctx()).err();
    assert_eq!(e, Some(ParamError::Invalid("tags may not be empty".into())));
    let e = group_by(json!({"name": "tag", "tags": null}), &ctx()).err();
    assert_eq!(e, Some(ParamError::Internal("cannot validate null".into())));
    let e = group_by(json!({"name": "tag", "tags": ["a"], "x": 1}), &ctx()).err();
    assert_eq!(
        e.map(|e| e.to_string()),
        Some("Property 'x' was specified for object 'tag' but no matching setter was found on 'class org.kairosdb.core.groupby.TagGroupBy'".into())
    );
    let e = group_by(
        json!({"name": "tag", "tags": ["a"], "tag_names": ["b"]}),
        &ctx(),
    )
    .err();
    assert_eq!(
        e.map(|e| e.to_string()),
        Some("Property 'tag_names' was specified for object 'tag' but no matching setter was found on 'org.kairosdb.core.groupby.TagGroupBy'".into())
    );
    assert!(group_by(
        json!({"name": "tag", "tags": ["a"], "start_date": 5}),
        &ctx()
    )
    .is_ok());
}
