//! Range mechanics: RangeAggregatorTest's calendar cases, the spec's §11.2 verified vectors,
//! DST behaviour, parameter binding and a property test on range counts.

mod common;

use common::*;
use plugin_api::{DataPoint, ParamError};
use serde_json::json;

fn day_steps(from: i64, to: i64, days: i64) -> Vec<DataPoint> {
    ones(from, to, days * 86_400_000)
}

/// Points at `start` plus 0, 1, 2... calendar months (UTC) while before `end`.
fn month_steps(start: (i32, u32, u32), end: i64) -> Vec<DataPoint> {
    let mut out = Vec::new();
    let (mut y, mut m) = (start.0, start.1);
    loop {
        let t = utc(y, m, start.2, 0, 0, 0, 0);
        if t >= end {
            return out;
        }
        out.push(DataPoint::long(t, 1));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
}

fn counts(v: &[DataPoint]) -> Vec<f64> {
    v.iter().map(|p| p.value.as_f64()).collect()
}

#[test]
fn years_without_leap_years() {
    let start = utc(2014, 1, 1, 0, 0, 0, 0);
    let pts = month_steps((2014, 1, 1), utc(2015, 6, 2, 0, 0, 0, 0));
    let p = json!({"name": "sum", "sampling": sampling(1, "years"), "align_sampling": false, "start_time": start});
    assert_eq!(counts(&run(p, &pts)), vec![12.0, 6.0]);
}

#[test]
fn three_months_unaligned() {
    let start = utc(2014, 1, 1, 1, 1, 0, 0);
    let pts = day_steps(start, utc(2014, 7, 10, 1, 1, 0, 0), 1);
    let p = json!({"name": "sum", "sampling": sampling(3, "months"), "align_sampling": false, "start_time": start});
    let out = run(p, &pts);
    assert_eq!(
        pairs(&out),
        vec![
            (start, 90.0),
            (utc(2014, 4, 1, 1, 1, 0, 0), 91.0),
            (utc(2014, 7, 1, 1, 1, 0, 0), 9.0)
        ]
    );
}

#[test]
fn three_months_aligned_start_and_end() {
    let start = utc(2014, 1, 1, 1, 1, 0, 0);
    let pts = day_steps(start, utc(2014, 7, 10, 1, 1, 0, 0), 5);
    let p = json!({"name": "sum", "sampling": sampling(3, "months"), "align_start_time": true, "start_time": start});
    assert_eq!(
        stamps(&run(p, &pts)),
        vec![
            utc(2014, 1, 1, 0, 0, 0, 0),
            utc(2014, 4, 1, 0, 0, 0, 0),
            utc(2014, 7, 1, 0, 0, 0, 0)
        ]
    );
    let p = json!({"name": "sum", "sampling": sampling(3, "months"), "align_end_time": true, "start_time": start});
    assert_eq!(
        stamps(&run(p, &pts)),
        vec![
            utc(2014, 4, 1, 0, 0, 0, 0),
            utc(2014, 7, 1, 0, 0, 0, 0),
            utc(2014, 10, 1, 0, 0, 0, 0)
        ]
    );
}

#[test]
fn month_from_mid_month() {
    let start = utc(2014, 3, 10, 0, 0, 0, 0);
    let pts = day_steps(start, utc(2014, 5, 23, 0, 0, 0, 0), 1);
    let p = json!({"name": "sum", "sampling": sampling(1, "months"), "align_sampling": false, "start_time": start});
    assert_eq!(
        pairs(&run(p, &pts)),
        vec![
            (start, 31.0),
            (utc(2014, 4, 10, 0, 0, 0, 0), 30.0),
            (utc(2014, 5, 10, 0, 0, 0, 0), 13.0)
        ]
    );
    let p = json!({"name": "sum", "sampling": sampling(1, "months"), "align_start_time": true, "start_time": start});
    assert_eq!(
        pairs(&run(p, &pts)),
        vec![
            (utc(2014, 3, 1, 0, 0, 0, 0), 22.0),
            (utc(2014, 4, 1, 0, 0, 0, 0), 30.0),
            (utc(2014, 5, 1, 0, 0, 0, 0), 22.0)
        ]
    );
    let p = json!({"name": "sum", "sampling": sampling(1, "months"), "align_end_time": true, "start_time": start});
    assert_eq!(
        stamps(&run(p, &pts)),
        vec![
            utc(2014, 4, 1, 0, 0, 0, 0),
            utc(2014, 5, 1, 0, 0, 0, 0),
            utc(2014, 6, 1, 0, 0, 0, 0)
        ]
    );
}

#[test]
fn weeks_align_to_monday() {
    let start = utc(2015, 1, 2, 1, 11, 0, 0);
    let pts = day_steps(start, utc(2015, 1, 18, 11, 11, 0, 0), 1);
    let p = json!({"name": "sum", "sampling": sampling(1, "weeks"), "align_start_time": true, "start_time": start});
    assert_eq!(
        pairs(&run(p, &pts)),
        vec![
            (utc(2014, 12, 29, 0, 0, 0, 0), 3.0),
            (utc(2015, 1, 5, 0, 0, 0, 0), 7.0),
            (utc(2015, 1, 12, 0, 0, 0, 0), 7.0)
        ]
    );
    let p = json!({"name": "sum", "sampling": sampling(1, "weeks"), "align_end_time": true, "start_time": start});
    assert_eq!(
        stamps(&run(p, &pts)),
        vec![
            utc(2015, 1, 5, 0, 0, 0, 0),
            utc(2015, 1, 12, 0, 0, 0, 0),
            utc(2015, 1, 19, 0, 0, 0, 0)
        ]
    );
}

#[test]
fn paris_months_over_dst() {
    let march = ones(
        local("Europe/Paris", 2014, 3, 1, 0, 0),
        local("Europe/Paris", 2014, 4, 1, 0, 0),
        3_600_000,
    );
    let p = json!({"name": "sum", "sampling": sampling(1, "months"), "time_zone": "Europe/Paris"});
    assert_eq!(counts(&run(p.clone(), &march)), vec![743.0]);
    let october = ones(
        local("Europe/Paris", 2014, 10, 1, 0, 0),
        local("Europe/Paris", 2014, 11, 1, 0, 0),
        3_600_000,
    );
    assert_eq!(counts(&run(p, &october)), vec![745.0]);
}

#[test]
fn years_over_leap_years_and_short_units() {
    let pts = day_steps(utc(2010, 1, 1, 0, 0, 0, 0), utc(2014, 1, 1, 0, 0, 0, 0), 1);
    let p = json!({"name": "sum", "sampling": sampling(1, "years"), "align_sampling": false});
    assert_eq!(counts(&run(p, &pts)), vec![365.0, 365.0, 366.0, 365.0]);
    let cases = [
        (
            "days",
            utc(2014, 1, 3, 3, 0, 0, 0),
            3_600_000,
            vec![24.0, 24.0, 3.0],
        ),
        (
            "hours",
            utc(2014, 1, 1, 2, 20, 0, 0),
            600_000,
            vec![6.0, 6.0, 2.0],
        ),
        (
            "minutes",
            utc(2014, 1, 1, 0, 2, 20, 0),
            10_000,
            vec![6.0, 6.0, 2.0],
        ),
        (
            "seconds",
            utc(2014, 1, 1, 0, 0, 2, 200),
            100,
            vec![10.0, 10.0, 2.0],
        ),
    ];
    let start = utc(2014, 1, 1, 0, 0, 0, 0);
    for (unit, end, step, expect) in cases {
        let p = json!({"name": "sum", "sampling": sampling(1, unit), "align_sampling": false});
        assert_eq!(counts(&run(p, &ones(start, end, step))), expect, "{unit}");
    }
    let mut pts = Vec::new();
    for t in start..start + 3 {
        pts.push(DataPoint::long(t, 1));
        pts.push(DataPoint::long(t, 1));
    }
    let p = json!({"name": "sum", "align_sampling": false, "start_time": start});
    assert_eq!(
        pairs(&run(p, &pts)),
        vec![(start, 2.0), (start + 1, 2.0), (start + 2, 2.0)]
    );
}

#[test]
fn verified_hour_alignment_vectors() {
    let start = utc(2014, 1, 1, 7, 30, 0, 0);
    let pts = ones(start, start + 8 * 3_600_000, 3_600_000);
    let h = |hh: u32, mm: u32| utc(2014, 1, 1, hh, mm, 0, 0);
    let base = json!({"name": "count", "sampling": sampling(5, "hours")});
    let with = |extra: serde_json::Value| {
        let mut p = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        pairs(&run_with(p, &ctx_at(start), "number", &pts).unwrap())
    };
    assert_eq!(
        with(json!({"align_start_time": true})),
        vec![(h(5, 0), 3.0), (h(10, 0), 5.0)]
    );
    assert_eq!(with(json!({})), vec![(h(7, 30), 3.0), (h(10, 30), 5.0)]);
    assert_eq!(
        with(json!({"align_end_time": true})),
        vec![(h(10, 0), 3.0), (h(15, 0), 5.0)]
    );
    assert_eq!(
        with(json!({"align_sampling": false, "align_start_time": true})),
        vec![(h(7, 30), 5.0), (h(12, 30), 3.0)]
    );
}

#[test]
fn verified_millisecond_and_calendar_vectors() {
    let pts = ones(1_000_250, 1_001_050, 100);
    let p = json!({"name": "count", "sampling": sampling(300, "milliseconds"), "align_start_time": true});
    let out = run_with(p, &ctx_at(1_000_250), "number", &pts).unwrap();
    assert_eq!(
        pairs(&out),
        vec![
            (1_000_000, 1.0),
            (1_000_300, 3.0),
            (1_000_600, 3.0),
            (1_000_900, 1.0)
        ]
    );

    let ny = "America/New_York";
    let start = local(ny, 2014, 3, 8, 12, 0);
    let pts = ones(start, start + 72 * 3_600_000, 3_600_000);
    let p = json!({"name": "count", "sampling": sampling(1, "days"), "align_start_time": true, "time_zone": ny});
    let out = run_with(p, &ctx_at(start), "number", &pts).unwrap();
    let days: Vec<(i64, f64)> = [(8, 12.0), (9, 23.0), (10, 24.0), (11, 13.0)]
        .iter()
        .map(|(d, c)| (local(ny, 2014, 3, *d, 0, 0), *c))
        .collect();
    assert_eq!(pairs(&out), days);

    let start = utc(2016, 1, 31, 10, 0, 0, 0);
    let pts = day_steps(start, start + 130 * 86_400_000, 1);
    let p = json!({"name": "count", "sampling": sampling(1, "months"), "align_sampling": false, "align_start_time": true});
    let out = run_with(p, &ctx_at(start), "number", &pts).unwrap();
    let d = |m: u32, day: u32| utc(2016, m, day, 10, 0, 0, 0);
    assert_eq!(
        pairs(&out),
        vec![
            (d(1, 31), 29.0),
            (d(2, 29), 31.0),
            (d(3, 31), 30.0),
            (d(4, 30), 31.0),
            (d(5, 31), 9.0)
        ]
    );

    let start = utc(2015, 1, 1, 15, 0, 0, 0);
    let pts = day_steps(start, start + 20 * 86_400_000, 1);
    let p = json!({"name": "count", "sampling": sampling(1, "weeks"), "align_start_time": true});
    let out = run_with(p, &ctx_at(start), "number", &pts).unwrap();
    let d = |y: i32, m: u32, day: u32| utc(y, m, day, 0, 0, 0, 0);
    assert_eq!(
        pairs(&out),
        vec![
            (d(2014, 12, 29), 4.0),
            (d(2015, 1, 5), 7.0),
            (d(2015, 1, 12), 7.0),
            (d(2015, 1, 19), 2.0)
        ]
    );
}

#[test]
fn descending_collapses_and_points_before_anchor() {
    let pts: Vec<DataPoint> = (0..10)
        .rev()
        .map(|i| DataPoint::long(i * 1000, i))
        .collect();
    let p = json!({"name": "sum", "sampling": sampling(2, "seconds")});
    assert_eq!(pairs(&run(p, &pts)), vec![(9000, 45.0)]);
    let p = json!({"name": "sum", "sampling": sampling(2, "seconds"), "align_start_time": true});
    assert_eq!(pairs(&run(p, &pts)), vec![(8000, 45.0)]);

    let pts = ones(0, 1, 1)
        .into_iter()
        .chain([3, 12, 16, 27, 40].map(|t| DataPoint::long(t, 1)))
        .skip(1)
        .collect::<Vec<_>>();
    let p = json!({"name": "sum", "sampling": sampling(10, "milliseconds"), "align_sampling": false,
                   "align_start_time": true, "start_time": 25});
    assert_eq!(pairs(&run(p, &pts)), vec![(5, 2.0), (25, 2.0), (35, 1.0)]);
}

#[test]
fn dst_gap_at_aligned_midnight_fails_at_parse_time() {
    let zone = "America/Sao_Paulo";
    let start = local(zone, 2014, 10, 19, 12, 0);
    let p = json!({"name": "count", "sampling": sampling(1, "days"), "time_zone": zone});
    assert_eq!(
        agg_err(p, &ctx_at(start)),
        ParamError::Internal(
            "Value 0 for hourOfDay is not supported: Illegal instant due to time zone offset \
             transition (daylight savings time 'gap'): 2014-10-19T00:00:00.000 (America/Sao_Paulo)"
                .to_string()
        )
    );
}

#[test]
fn sampling_value_zero_is_division_by_zero_at_run_time() {
    let p = json!({"name": "sum", "sampling": {"unit": "days"}});
    assert!(run_with(p.clone(), &ctx(), "number", &[])
        .unwrap()
        .is_empty());
    let err = run_with(p, &ctx(), "number", &longs(&[(1, 1)])).unwrap_err();
    assert_eq!(err.to_string(), "/ by zero");
}

#[test]
fn parameter_errors() {
    let c = ctx();
    let e = agg_err(
        json!({"name": "sum", "sampling": {"value": -1, "unit": "days"}}),
        &c,
    );
    assert_eq!(
        e,
        ParamError::Invalid("sampling.value must be greater than or equal to 0".into())
    );
    let e = agg_err(
        json!({"name": "sum", "sampling": {"value": 1, "unit": "bogus"}}),
        &c,
    );
    assert_eq!(
        e.to_string(),
        "bogus is not a valid time unit, must be one of MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS"
    );
    let e = agg_err(json!({"name": "sum", "bogus": 1}), &c);
    assert_eq!(
        e,
        ParamError::InvalidNoContext(
            "Property 'bogus' was specified for object 'sum' but no matching setter was found on 'class org.kairosdb.core.aggregator.SumAggregator'".into()
        )
    );
    let e = agg_err(json!({"name": "avg", "_align_sampling": true}), &c);
    assert_eq!(
        e.to_string(),
        "Property '_align_sampling' was specified for object 'avg' but no matching setter was found on 'org.kairosdb.core.aggregator.AvgAggregator'"
    );
    assert_eq!(
        agg_err(json!({"name": "sum", "time_zone": null}), &c),
        ParamError::Internal("cannot validate null".into())
    );
    assert_eq!(
        agg_err(json!({"name": "sum", "align_sampling": null}), &c).to_string(),
        "cannot validate null"
    );
    assert!(agg_err(json!({"name": "sum", "time_zone": "bogus"}), &c)
        .to_string()
        .starts_with("bogus is not a valid time zone, must be one of [Africa/Abidjan, "));
    // numeric strings and booleans as strings are accepted
    assert!(agg(json!({"name": "sum", "sampling": {"value": "10", "unit": "SECONDS"}, "align_sampling": "TRUE"}), &c).is_ok());
    // no sampling is valid (1 ms)
    assert!(agg(json!({"name": "sum"}), &c).is_ok());
}

/// A small deterministic generator (xorshift64*).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn property_counts_add_up_and_ranges_are_consistent() {
    let units = [
        "milliseconds",
        "seconds",
        "minutes",
        "hours",
        "days",
        "weeks",
        "months",
        "years",
    ];
    let zones = [
        "UTC",
        "Europe/Paris",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
    ];
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    for case in 0..60 {
        let unit = units[g.below(units.len() as u64) as usize];
        let zone = zones[g.below(zones.len() as u64) as usize];
        let value = 1 + g.below(5) as i64;
        let start = 1_300_000_000_000 + g.below(200_000_000_000) as i64;
        let span = [10_000i64, 10_000_000, 10_000_000_000, 300_000_000_000][g.below(4) as usize];
        let n = 1 + g.below(300) as usize;
        let mut ts: Vec<i64> = (0..n)
            .map(|_| start + g.below(span as u64) as i64)
            .collect();
        ts.sort_unstable();
        let pts: Vec<DataPoint> = ts.iter().map(|t| DataPoint::long(*t, 1)).collect();
        let align = g.below(2) == 0;
        let p = json!({"name": "count", "sampling": sampling(value, unit), "time_zone": zone,
                       "align_sampling": align, "align_start_time": true});
        let c = ctx_at(start);
        let out = run_with(p, &c, "number", &pts).unwrap();
        let total: f64 = out.iter().map(|p| p.value.as_f64()).sum();
        assert_eq!(total as usize, n, "case {case}: {unit} {zone}");
        // range starts are strictly increasing and each output covers a distinct range
        for w in out.windows(2) {
            assert!(
                w[0].timestamp < w[1].timestamp,
                "case {case}: {unit} {zone} {value}"
            );
        }
    }
}

#[test]
fn default_zone_and_paris_hours() {
    // [verified] no query time_zone: the configured default zone (Java: the JVM default).
    let c = plugin_api::QueryContext {
        time_zone: None,
        default_time_zone: "America/Los_Angeles".to_string(),
        ..ctx_at(utc(2014, 1, 1, 12, 0, 0, 0))
    };
    let pts = ones(
        utc(2014, 1, 1, 12, 0, 0, 0),
        utc(2014, 1, 3, 12, 0, 0, 0),
        3_600_000,
    );
    let p = json!({"name": "count", "sampling": sampling(1, "days"), "align_start_time": true});
    let out = run_with(p, &c, "number", &pts).unwrap();
    assert_eq!(
        stamps(&out)[..2],
        [utc(2014, 1, 1, 8, 0, 0, 0), utc(2014, 1, 2, 8, 0, 0, 0)]
    );
    // "" means UTC
    let c = plugin_api::QueryContext {
        time_zone: Some(String::new()),
        ..c
    };
    let p = json!({"name": "count", "sampling": sampling(1, "days"), "align_start_time": true});
    assert_eq!(
        stamps(&run_with(p, &c, "number", &pts).unwrap())[0],
        utc(2014, 1, 1, 0, 0, 0, 0)
    );
    // [verified] Paris, 1-hour sampling across the spring-forward night: absolute hours
    let start = utc(2014, 3, 29, 23, 0, 0, 0);
    let pts = ones(start, start + 3 * 3_600_000, 1_800_000);
    let p = json!({"name": "count", "sampling": sampling(1, "hours"), "align_start_time": true, "time_zone": "Europe/Paris"});
    let out = run_with(p, &ctx_at(start), "number", &pts).unwrap();
    assert_eq!(
        pairs(&out),
        vec![
            (start, 2.0),
            (start + 3_600_000, 2.0),
            (start + 7_200_000, 2.0)
        ]
    );
}

#[test]
fn property_batching_never_changes_any_aggregator() {
    let configs = [
        json!({"name": "avg", "sampling": sampling(7, "milliseconds")}),
        json!({"name": "count", "sampling": sampling(1, "seconds"), "align_end_time": true}),
        json!({"name": "dev", "sampling": sampling(3, "milliseconds"), "return_type": "pos_sd"}),
        json!({"name": "first", "sampling": sampling(5, "milliseconds"), "align_start_time": true}),
        json!({"name": "last", "sampling": sampling(5, "milliseconds")}),
        json!({"name": "gaps", "sampling": sampling(20, "milliseconds")}),
        json!({"name": "gaps", "sampling": sampling(20, "milliseconds"), "trim": true}),
        json!({"name": "least_squares", "sampling": sampling(50, "milliseconds")}),
        json!({"name": "max", "sampling": sampling(2, "milliseconds")}),
        json!({"name": "min", "sampling": sampling(2, "milliseconds")}),
        json!({"name": "percentile", "percentile": 0.3, "sampling": sampling(9, "milliseconds")}),
        json!({"name": "sum", "sampling": sampling(4, "milliseconds"), "align_sampling": false}),
        json!({"name": "diff"}),
        json!({"name": "div", "divisor": 3}),
        json!({"name": "scale", "factor": -1.5}),
        json!({"name": "sampler", "unit": "seconds"}),
        json!({"name": "sma", "size": 4}),
        json!({"name": "trim", "trim": "both"}),
        json!({"name": "filter", "filter_op": "gt", "threshold": 50}),
        json!({"name": "score", "thresholds": [{"value": 10}, {"value": 60, "boundary": "inferior"}]}),
        json!({"name": "save_as", "metric_name": "copy"}),
    ];
    let mut g = Gen(42);
    for round in 0..20 {
        let n = g.below(120) as usize;
        let mut t = 1000 + g.below(50) as i64;
        let mut pts = Vec::new();
        for _ in 0..n {
            t += 1 + g.below(6) as i64;
            let v = g.below(100) as i64;
            pts.push(if g.below(3) == 0 {
                DataPoint::double(t, v as f64 / 3.0)
            } else {
                DataPoint::long(t, v)
            });
        }
        let c = plugin_api::QueryContext {
            start: 1000,
            end: t + 10,
            ..ctx()
        };
        for p in &configs {
            // run_with checks batch sizes 1, 2, 3, 7 and all against each other
            let _ = run_with(p.clone(), &c, "number", &pts);
            let _ = round;
        }
    }
}
