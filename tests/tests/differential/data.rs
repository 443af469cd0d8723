//! The generated data set both servers receive: long, double, mixed and string series with
//! many tags, clustered in windows around the instants where bugs hide (row boundaries, DST
//! changes, month ends, leap days, the epoch, pre-1970 times), plus duplicate timestamps.

use std::collections::BTreeSet;

use serde_json::{json, Value};

/// Cassandra row width of the Java keyspace (3 weeks in ms); points on both sides of a multiple.
pub const ROW_WIDTH: i64 = 1_814_400_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Milliseconds since the epoch of a UTC civil time (proleptic Gregorian, any year).
pub fn utc(y: i64, m: i64, d: i64, h: i64, min: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * DAY + h * HOUR + min * 60_000
}

/// A time window holding points of every series: `[start, end)` with roughly `step` between points.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Short label used in case ids.
    pub label: &'static str,
    /// First instant.
    pub start: i64,
    /// End (exclusive).
    pub end: i64,
    /// Mean distance between points.
    pub step: i64,
}

/// The windows: what each one crosses is in its label.
pub fn windows() -> Vec<Window> {
    let row = (utc(2023, 12, 20, 0, 0) / ROW_WIDTH + 1) * ROW_WIDTH;
    let w = |label, start: i64, days: i64, step| Window {
        label,
        start,
        end: start + days * DAY,
        step,
    };
    vec![
        w("epoch", -2 * DAY, 4, 47 * 60_000 + 13_000),
        w("leap1960", utc(1960, 2, 27, 0, 0), 4, 3 * HOUR + 7_000),
        w("leap2024", utc(2024, 2, 27, 5, 0), 4, 97 * 60_000 + 1),
        w("dst-us-spring", utc(2023, 3, 11, 12, 0), 2, 53 * 60_000),
        w(
            "dst-eu-spring",
            utc(2023, 3, 25, 12, 0),
            2,
            41 * 60_000 + 500,
        ),
        w("dst-eu-fall", utc(2023, 10, 28, 12, 0), 2, 59 * 60_000),
        w("dst-us-fall", utc(2023, 11, 4, 12, 0), 2, 67 * 60_000),
        w("row", row - 2 * DAY, 4, 71 * 60_000 + 3),
        w("year-end", utc(2023, 12, 30, 0, 0), 3, 2 * HOUR + 11),
        w("april-end", utc(2023, 4, 29, 0, 0), 3, 3 * HOUR),
    ]
}

/// Exact instants every numeric series also gets a point at.
fn edges() -> Vec<i64> {
    let row = (utc(2023, 12, 20, 0, 0) / ROW_WIDTH + 1) * ROW_WIDTH;
    vec![
        -1,
        0,
        1,
        -DAY,
        row - 1,
        row,
        row + 1,
        utc(2024, 2, 29, 0, 0),
        utc(2024, 3, 1, 0, 0) - 1,
        utc(1960, 2, 29, 0, 0),
        utc(2023, 3, 26, 1, 0),
        utc(2023, 10, 29, 1, 0),
        utc(2023, 3, 12, 7, 0),
        utc(2023, 11, 5, 6, 0),
        utc(2024, 1, 1, 0, 0),
        utc(2023, 5, 1, 0, 0),
    ]
}

/// One series: metric, tags, points.
#[derive(Clone, Debug)]
pub struct Series {
    /// Metric name.
    pub metric: String,
    /// Tag pairs.
    pub tags: Vec<(String, String)>,
    /// Points in ingest order (may repeat a timestamp).
    pub points: Vec<(i64, Value)>,
}

impl Series {
    /// The ingest JSON object of this series.
    pub fn to_json(&self) -> Value {
        let tags: serde_json::Map<String, Value> = self
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let dps: Vec<Value> = self.points.iter().map(|(t, v)| json!([t, v])).collect();
        json!({"name": self.metric, "tags": tags, "datapoints": dps})
    }
}

/// Which values a series carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Longs, a few near ±2^40.
    Long,
    /// Doubles, some exact binary fractions, some decimal fractions.
    Double,
    /// Longs and doubles alternating.
    Mixed,
    /// Strings.
    Text,
}

/// A deterministic 64-bit LCG (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 17) as i64
    }
}

fn value(kind: Kind, rng: &mut Lcg, i: usize) -> Value {
    let r = rng.next();
    match kind {
        Kind::Long if i % 17 == 5 => {
            json!((1i64 << 40) * if r % 2 == 0 { 1 } else { -1 } + r % 1000)
        }
        Kind::Long => json!(r % 2001 - 1000),
        Kind::Double if i % 3 == 0 => json!((r % 200_001 - 100_000) as f64 / 10.0),
        Kind::Double => json!((r % 200_001 - 100_000) as f64 / 8.0 + 0.125),
        Kind::Mixed if i % 2 == 0 => json!(r % 101 - 50),
        Kind::Mixed => json!((r % 1001) as f64 / 4.0 - 60.3),
        Kind::Text => {
            json!(["alpha", "beta", "gamma", "délta", "ε😀", "a b", "7"][(r % 7) as usize])
        }
    }
}

/// The whole data set of one run; metric names start with `prefix`.
pub struct Dataset {
    /// Unique prefix of this run's metric names (also used in tag names for metadata checks).
    pub prefix: String,
    /// Series of the first ingest.
    pub series: Vec<Series>,
    /// Points re-posted later at timestamps that already hold a point (values differ).
    pub overwrites: Vec<Series>,
}

impl Dataset {
    /// Metric `<prefix>.<suffix>`.
    pub fn metric(&self, suffix: &str) -> String {
        format!("{}.{suffix}", self.prefix)
    }

    /// The run's own tag name, present on part of the long series (for /tagnames-style checks).
    pub fn own_tag(&self) -> String {
        format!("u_{}", self.prefix.replace('.', "_"))
    }

    /// Distinct stored points per metric (Java keeps a long and a double at one timestamp apart,
    /// as they live in rows of different data types; a string is a third type).
    pub fn expected_counts(&self) -> Vec<(String, usize)> {
        let mut names: Vec<String> = self.series.iter().map(|s| s.metric.clone()).collect();
        names.dedup();
        names
            .into_iter()
            .map(|m| {
                let mut set = BTreeSet::new();
                for s in self.series.iter().filter(|s| s.metric == m) {
                    for (t, v) in &s.points {
                        let ty = if v.is_string() {
                            2
                        } else if v.is_i64() {
                            0
                        } else {
                            1
                        };
                        set.insert((format!("{:?}", s.tags), *t, ty));
                    }
                }
                (m, set.len())
            })
            .collect()
    }
}

/// Tag pairs of a series.
type Tags = Vec<(String, String)>;

/// Builds the data set for metric prefix `prefix`.
pub fn generate(prefix: &str) -> Dataset {
    let mut ds = Dataset {
        prefix: prefix.to_string(),
        series: Vec::new(),
        overwrites: Vec::new(),
    };
    let own_tag = ds.own_tag();
    let mut specs: Vec<(String, Kind, Tags)> = Vec::new();
    let t = |pairs: &[(&str, &str)]| -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    for host in ["a", "b", "c"] {
        for dc in ["east", "west"] {
            let mut tags = t(&[("host", host), ("dc", dc)]);
            if host != "c" {
                tags.push((own_tag.clone(), format!("{prefix}-{host}")));
            }
            specs.push((ds.metric("long"), Kind::Long, tags));
        }
    }
    // Many tags on one series, some values with characters that need escaping.
    specs.push((
        ds.metric("long"),
        Kind::Long,
        t(&[
            ("host", "d"),
            ("dc", "east"),
            ("rack", "r1"),
            ("env", "prod"),
            ("svc", "api:v2"),
            ("zone", "z=1"),
            ("os", "linux"),
            ("cpu", "0"),
        ]),
    ));
    for (host, dc) in [("a", "east"), ("b", "west"), ("c", "west")] {
        specs.push((
            ds.metric("double"),
            Kind::Double,
            t(&[("host", host), ("dc", dc)]),
        ));
    }
    for host in ["a", "b"] {
        specs.push((
            ds.metric("mixed"),
            Kind::Mixed,
            t(&[("host", host), ("dc", "east")]),
        ));
        specs.push((
            ds.metric("string"),
            Kind::Text,
            t(&[("host", host), ("dc", "east")]),
        ));
    }
    for (name, kind) in [("del", Kind::Long), ("delall", Kind::Double)] {
        for host in ["a", "b"] {
            specs.push((ds.metric(name), kind, t(&[("host", host)])));
        }
    }
    for (n, (metric, kind, tags)) in specs.into_iter().enumerate() {
        let mut rng = Lcg(n as u64 * 7919 + 17);
        let offset = if n % 2 == 0 { 0 } else { 7_000 };
        let mut points = Vec::new();
        for w in windows() {
            let mut ts = w.start + offset;
            let mut i = 0usize;
            while ts < w.end {
                points.push((ts, value(kind, &mut rng, points.len())));
                i += 1;
                ts = w.start + offset + i as i64 * w.step + rng.next().rem_euclid(w.step / 3);
            }
        }
        if kind != Kind::Text {
            for e in edges() {
                let p = (e, value(kind, &mut rng, points.len()));
                points.push(p);
            }
        }
        // An exact duplicate inside one request.
        if let Some(p) = points.get(3).cloned() {
            points.push(p);
        }
        ds.series.push(Series {
            metric,
            tags,
            points,
        });
    }
    // A long, a double and a string at the same instants of one series: Java keeps them in
    // rows of different data types, so all of them are stored.
    let clash = ds.metric("clash");
    let base = utc(2024, 2, 28, 12, 0);
    let tags = t(&[("host", "a")]);
    for points in [
        vec![
            (base, json!(5)),
            (base + 1, json!(7)),
            (base + 2, json!(1)),
            (base + HOUR, json!(2)),
        ],
        vec![
            (base, json!(5.0)),
            (base + 1, json!(6.5)),
            (base + HOUR, json!(-2.25)),
        ],
        vec![(base, json!("five")), (base + 2, json!("one"))],
    ] {
        ds.series.push(Series {
            metric: clash.clone(),
            tags: tags.clone(),
            points,
        });
    }
    // Later writes to existing timestamps of the long and double series (last write wins).
    for s in ds
        .series
        .iter()
        .filter(|s| s.metric.ends_with(".long") || s.metric.ends_with(".double"))
        .take(4)
    {
        let points = s
            .points
            .iter()
            .step_by(9)
            .map(|(t, v)| {
                let nv = match v.as_i64() {
                    Some(l) => json!(l + 1_000_003),
                    None => json!(v.as_f64().unwrap_or(0.0) * 3.5),
                };
                (*t, nv)
            })
            .collect();
        ds.overwrites.push(Series {
            metric: s.metric.clone(),
            tags: s.tags.clone(),
            points,
        });
    }
    ds
}

/// The ingest bodies of a list of series, one request per metric name.
pub fn bodies(series: &[Series]) -> Vec<Value> {
    let mut out: Vec<(String, Vec<Value>)> = Vec::new();
    for s in series {
        match out.iter_mut().find(|(m, _)| *m == s.metric) {
            Some((_, v)) => v.push(s.to_json()),
            None => out.push((s.metric.clone(), vec![s.to_json()])),
        }
    }
    out.into_iter().map(|(_, v)| Value::Array(v)).collect()
}

/// The whole span of the data: before 1960 to after 2024.
pub const ALL: (i64, i64) = (-400_000_000_000, 1_800_000_000_000);
