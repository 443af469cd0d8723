//! The index answers exactly what a scan with [`TagFilter::matches`] answers, in key order.

use super::*;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const NAMES: [&str; 4] = ["host", "dc", "a:b", "x=y"];
const VALUES: [&str; 6] = ["1", "2", "web1", "web2", "a=b", "c:d"];

fn random_row(rng: &mut Rng) -> RowKey {
    let mut tags = Vec::new();
    for n in NAMES {
        if rng.below(4) != 0 {
            tags.push((n.to_string(), VALUES[rng.below(6) as usize].to_string()));
        }
    }
    let types = ["kairos_long", "kairos_double", LEGACY_TYPE];
    RowKey::new(
        "m",
        rng.below(3) as i64 * 1_814_400_000 - 1_814_400_000,
        types[rng.below(3) as usize],
        &tags,
    )
}

fn random_filter(rng: &mut Rng) -> TagFilter {
    let mut tags = Vec::new();
    for n in NAMES.iter().chain(&["missing"]) {
        if rng.below(3) != 0 {
            continue;
        }
        let mut values = Vec::new();
        for _ in 0..rng.below(3) {
            values.push(match rng.below(5) {
                0 => "regex:web.*".to_string(),
                1 => "regex:[12]".to_string(),
                2 => "nothing".to_string(),
                _ => VALUES[rng.below(6) as usize].to_string(),
            });
        }
        values.sort();
        tags.push((n.to_string(), values));
    }
    let prefix = if rng.below(4) == 0 { "" } else { "regex:" };
    TagFilter::new(&tags, prefix).unwrap()
}

/// Distinct rows in key order, as fjall lists them.
fn listing(rows: &[RowKey]) -> Vec<RowKey> {
    let mut v: Vec<(Vec<u8>, RowKey)> = rows.iter().map(|r| (r.encode(), r.clone())).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.dedup_by(|a, b| a.0 == b.0);
    v.into_iter().map(|(_, r)| r).collect()
}

fn check(index: &MetricRows, all: &[RowKey], rng: &mut Rng, queries: usize) {
    let sorted = listing(all);
    for _ in 0..queries {
        let f = random_filter(rng);
        let after = rng.below(3) as i64 * 1_814_400_000 - 1_814_400_000;
        let keep = |r: &RowKey| r.row_time >= after;
        let want: Vec<RowKey> = sorted
            .iter()
            .filter(|r| keep(r) && f.matches(&r.tags))
            .cloned()
            .collect();
        assert_eq!(index.find(&f, keep), want, "filter {f:?}");
    }
}

#[test]
fn key_order_is_the_encoded_order() {
    let mut rng = Rng(7);
    for _ in 0..2000 {
        let (a, b) = (random_row(&mut rng), random_row(&mut rng));
        assert_eq!(cmp_keys(&a, &b), a.encode().cmp(&b.encode()), "{a:?} {b:?}");
    }
}

#[test]
fn filters_answer_as_a_scan() {
    let mut rng = Rng(42);
    for round in 0..20 {
        let rows: Vec<RowKey> = (0..50 + round * 20).map(|_| random_row(&mut rng)).collect();
        let rows = listing(&rows);
        let index = MetricRows::new(rows.clone());
        check(&index, &rows, &mut rng, 200);
    }
}

#[test]
fn added_rows_are_found_in_key_order() {
    let mut rng = Rng(3);
    let mut all = listing(&(0..100).map(|_| random_row(&mut rng)).collect::<Vec<_>>());
    let mut index = MetricRows::new(all.clone());
    for step in 0..40 {
        for _ in 0..rng.below(10) {
            let r = random_row(&mut rng);
            // Each row is created once.
            if !all.iter().any(|x| x.encode() == r.encode()) {
                all.push(r.clone());
                index.push(r);
            }
        }
        if step % 7 == 6 {
            index.settle();
            assert_eq!(index.rows, listing(&all), "settled rows are in key order");
        }
        check(&index, &all, &mut rng, 30);
    }
}

#[test]
fn settles_past_the_tail_limit() {
    let mk = |i: u32| {
        RowKey::new(
            "m",
            0,
            "kairos_long",
            &[("host".into(), format!("h{i:05}"))],
        )
    };
    let mut index = MetricRows::new((0..2000).map(|i| mk(2 * i)).collect());
    for i in (0..1100).rev() {
        index.push(mk(2 * i + 1));
    }
    assert!(index.needs_settle());
    index.settle();
    assert!(!index.needs_settle());
    let want: Vec<RowKey> = (0..2200)
        .map(mk)
        .chain((2200..2000 * 2).step_by(2).map(mk))
        .collect();
    assert_eq!(index.rows, want);
    let f = TagFilter::new(&[("host".into(), vec!["h00007".into()])], "regex:").unwrap();
    assert_eq!(index.find(&f, |_| true), vec![mk(7)]);
}

#[test]
fn hash_collisions_are_checked() {
    // Force two values into one group, as a colliding hash would.
    let a = RowKey::new("m", 0, "kairos_long", &[("host".into(), "web1".into())]);
    let b = RowKey::new("m", 0, "kairos_long", &[("host".into(), "db1".into())]);
    let mut index = MetricRows::new(vec![a.clone()]);
    index.push(b.clone());
    let tg = index.tags.get_mut("host").unwrap();
    let pb = tg.groups.remove(&value_hash("db1")).unwrap();
    let pa = tg.groups.get_mut(&value_hash("web1")).unwrap();
    pa.push(pb.as_slice()[0]);
    tg.mixed.push(value_hash("web1"));
    let f = |v: &str| TagFilter::new(&[("host".into(), vec![v.into()])], "regex:").unwrap();
    assert_eq!(index.find(&f("web1"), |_| true), vec![a.clone()]);
    assert_eq!(index.find(&f("regex:db.*"), |_| true), vec![b]);
    assert_eq!(index.find(&f("regex:w.*"), |_| true), vec![a]);
}
