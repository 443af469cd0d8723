//! Block codec: exact round trips of every value kind, raw and pco sections, expiry modes.

use plugin_api::Value;

use super::*;

fn cells(n: usize, f: impl Fn(usize) -> (Value, i64)) -> Vec<Cell> {
    (0..n)
        .map(|i| {
            let (value, expiry) = f(i);
            Cell {
                ts: 1_700_000_000_000 + i as i64 * 10_000,
                value,
                expiry,
            }
        })
        .collect()
}

fn round_trip(data_type: &str, c: &[Cell]) -> Vec<Cell> {
    let mut bytes = Vec::new();
    encode(c, &mut bytes).unwrap();
    let h = header(&bytes).unwrap();
    assert_eq!(h.n, c.len());
    assert_eq!(h.last_ts, c[c.len() - 1].ts);
    let mut out = Vec::new();
    decode(data_type, &bytes, &mut out).unwrap();
    out
}

#[test]
fn longs_and_doubles_exact_small_and_large() {
    for n in [1, 15, 16, 240] {
        let l = cells(n, |i| (Value::Long(i as i64 * 7 - 1000), NEVER));
        assert_eq!(round_trip("kairos_long", &l), l);
        let specials = [f64::NAN, -0.0, f64::INFINITY, f64::MIN_POSITIVE, 1e300];
        let d = cells(n, |i| {
            let v = if i % 10 == 3 {
                specials[i / 10 % specials.len()]
            } else {
                (i as f64 * 0.01).sin() * 100.0
            };
            (Value::Double(v), NEVER)
        });
        let back = round_trip("kairos_double", &d);
        for (a, b) in d.iter().zip(&back) {
            let (Value::Double(x), Value::Double(y)) = (&a.value, &b.value) else {
                panic!("kind changed: {b:?}");
            };
            assert_eq!(x.to_bits(), y.to_bits(), "bit-exact doubles");
            assert_eq!(a.ts, b.ts);
        }
    }
}

#[test]
fn strings_and_expiry_modes() {
    let s = cells(20, |i| (Value::Text(format!("v{i}é")), 5_000 + i as i64));
    assert_eq!(round_trip("kairos_string", &s), s);
    let same = cells(30, |i| (Value::Long(i as i64), 9_000));
    assert_eq!(round_trip("kairos_long", &same), same);
    let mut bytes = Vec::new();
    encode(&same, &mut bytes).unwrap();
    assert_eq!(header(&bytes).unwrap().min_expiry, 9_000);
}

#[test]
fn regular_gauges_compress_below_two_bytes_per_point() {
    let c = cells(BLOCK_POINTS, |i| {
        let v = ((i as f64 * 0.1).sin() * 50.0 * 100.0).round() / 100.0;
        (Value::Double(v), NEVER)
    });
    let mut bytes = Vec::new();
    encode(&c, &mut bytes).unwrap();
    // Key (16 bytes) included.
    let per_point = (bytes.len() + 16) as f64 / c.len() as f64;
    assert!(per_point < 2.0, "{per_point} bytes per point");
}

#[test]
fn keys_sort_by_time_and_bad_bytes_fail() {
    assert!(key(1, -5) < key(1, 3));
    assert!(key(1, i64::MAX) < key(2, i64::MIN));
    assert_eq!(key_ts(&key(9, -42)).unwrap(), -42);
    assert!(header(&[1, 2, 3]).is_err());
    let mut bytes = Vec::new();
    encode(&cells(20, |i| (Value::Long(i as i64), NEVER)), &mut bytes).unwrap();
    bytes.truncate(bytes.len() - 3);
    assert!(decode("kairos_long", &bytes, &mut Vec::new()).is_err());
    assert!(encode(&[], &mut Vec::new()).is_err());
}

#[test]
#[ignore = "timing; run in release: cargo test --release -p kairosdb-server --lib block_speed -- --ignored --nocapture"]
fn block_speed() {
    let gauge = cells(BLOCK_POINTS, |i| {
        (
            Value::Double(((i as f64 * 0.1).sin() * 5000.0).round() / 100.0),
            NEVER,
        )
    });
    let longs = cells(BLOCK_POINTS, |i| {
        (Value::Long((i as i64 * 7919) % 100_000), NEVER)
    });
    for (name, c, t) in [
        ("gauge", &gauge, "kairos_double"),
        ("longs", &longs, "kairos_long"),
    ] {
        let mut bytes = Vec::new();
        let started = std::time::Instant::now();
        let rounds = 2000;
        for _ in 0..rounds {
            bytes.clear();
            encode(c, &mut bytes).unwrap();
        }
        let enc = started.elapsed();
        let started = std::time::Instant::now();
        let mut out = Vec::new();
        for _ in 0..rounds {
            out.clear();
            decode(t, &bytes, &mut out).unwrap();
        }
        let dec = started.elapsed();
        let n = (rounds * c.len()) as f64;
        eprintln!(
            "{name}: {:.2} B/point, encode {:.1} M points/s, decode {:.1} M points/s",
            (bytes.len() + 16) as f64 / c.len() as f64,
            n / enc.as_secs_f64() / 1e6,
            n / dec.as_secs_f64() / 1e6
        );
    }
}
