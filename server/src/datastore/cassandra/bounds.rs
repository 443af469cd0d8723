//! Which columns of a row a read asks for (spec §5.4): Java's slice bounds, and the time
//! slices a small query reads one row in at once.

use scylla::value::CqlValue;

use crate::datastore::column_name::RowSpec;
use crate::datastore::ReadRange;

/// Java `cqlQueryWithRowKeys` bounds: `[start column, end column)` as 4-byte blobs, the end
/// being the encoded column of the last admitted time plus one; `None` when the range
/// misses the row.
pub fn column_bounds(
    spec: &RowSpec,
    row_time: i64,
    start: i64,
    end: i64,
) -> Option<([u8; 4], [u8; 4])> {
    let width = spec.width_millis();
    if end < row_time || start > row_time.saturating_add(width - 1) {
        return None;
    }
    let lo = if start < row_time {
        [0; 4]
    } else {
        spec.column_name(row_time, start)
    };
    let last = if end > row_time.saturating_add(width) {
        row_time.saturating_add(width)
    } else {
        end
    };
    let hi = i32::from_be_bytes(spec.column_name(row_time, last)).wrapping_add(1);
    Some((lo, hi.to_be_bytes()))
}

/// Most slices one row is read in at once.
pub const MAX_SLICES: usize = 4;
/// Least time one slice covers: a shorter one holds too few points to be worth a request.
pub const MIN_SLICE_MS: i64 = 3_600_000;

/// Slices to read each row of `range` in: the query's share of `reads` (the page reads it
/// may have in flight) per row, at most [`MAX_SLICES`]; one when the rows are unknown or
/// for a limited read (the limit counts from one end, so later slices would be wasted).
pub fn slices_for(reads: usize, range: &ReadRange) -> usize {
    if range.rows == 0 || range.limit > 0 {
        return 1;
    }
    (reads / range.rows).clamp(1, MAX_SLICES)
}

/// [`column_bounds`] cut into up to `k` slices of equal time, each over at least
/// `min_ms`, in column order; none when the range misses the row.
pub fn column_slices(
    spec: &RowSpec,
    row_time: i64,
    start: i64,
    end: i64,
    k: usize,
    min_ms: i64,
) -> Vec<([u8; 4], [u8; 4])> {
    let Some((lo, hi)) = column_bounds(spec, row_time, start, end) else {
        return Vec::new();
    };
    let first = start.max(row_time);
    let last = end.min(row_time.saturating_add(spec.width_millis() - 1));
    let span = last as i128 - first as i128 + 1;
    let k = (k as i128).min(span / (min_ms.max(1) as i128)).max(1);
    let mut cuts = vec![lo];
    for i in 1..k {
        cuts.push(spec.column_name(row_time, (first as i128 + span * i / k) as i64));
    }
    cuts.push(hi);
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Bind values of a column query or count.
pub fn bounds_values(key: Vec<u8>, lo: [u8; 4], hi: [u8; 4], limit: u64) -> Vec<CqlValue> {
    let mut v = vec![
        CqlValue::Blob(key),
        CqlValue::Blob(lo.to_vec()),
        CqlValue::Blob(hi.to_vec()),
    ];
    if limit > 0 {
        v.push(CqlValue::Int(limit.min(i32::MAX as u64) as i32));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datastore::column_name::DEFAULT_ROW_WIDTH_MS;
    use plugin_api::Order;

    const W: i64 = DEFAULT_ROW_WIDTH_MS;

    fn range(rows: usize, limit: u64) -> ReadRange {
        ReadRange {
            start: 0,
            end: 1,
            order: Order::Asc,
            limit,
            query: 0,
            rows,
        }
    }

    #[test]
    fn small_queries_read_each_row_in_slices() {
        assert_eq!(slices_for(4, &range(1, 0)), 4);
        assert_eq!(slices_for(4, &range(2, 0)), 2);
        assert_eq!(slices_for(4, &range(3, 0)), 1);
        assert_eq!(slices_for(4, &range(1000, 0)), 1);
        assert_eq!(slices_for(20, &range(1, 0)), MAX_SLICES);
        assert_eq!(slices_for(usize::MAX, &range(1, 0)), MAX_SLICES);
        // Rows unknown, or a limit counted from one end.
        assert_eq!(slices_for(4, &range(0, 0)), 1);
        assert_eq!(slices_for(4, &range(1, 10)), 1);
    }

    /// Every column of the range falls in exactly one slice, the slices in column order
    /// from the range's first bound to its last; shorter ranges get fewer slices.
    #[test]
    fn slices_cover_the_bounds_once_in_order() {
        const H: i64 = 3_600_000;
        let rt = 1_698_278_400_000;
        let specs = [
            RowSpec::default(),
            RowSpec::Seconds { width: W },
            RowSpec::Legacy { width: W },
        ];
        for spec in specs {
            let cases = [
                (rt + 5, rt + 24 * H, 4, 4),
                (rt - 10, rt + 3 * H - 1, 4, 3),
                (rt, rt + 90 * 60_000, 4, 1),
                (rt + H, rt + 3 * W, 2, 2),
                (i64::MIN, i64::MAX, 4, 4),
                (rt, rt + 24 * H, 1, 1),
            ];
            for (start, end, k, want) in cases {
                let slices = column_slices(&spec, rt, start, end, k, H);
                let bounds = column_bounds(&spec, rt, start, end).unwrap();
                assert_eq!(slices.len(), want, "{spec:?} {start} {end} {k}");
                assert_eq!(slices[0].0, bounds.0);
                assert_eq!(slices[want - 1].1, bounds.1);
                for w in slices.windows(2) {
                    assert_eq!(w[0].1, w[1].0);
                }
                for (lo, hi) in &slices {
                    assert!(lo < hi, "{spec:?}: empty slice {lo:?}..{hi:?}");
                }
                let (from, to) = (start.max(rt), end.min(rt + W - 1));
                for t in (from..=to)
                    .step_by(((to - from) / 997).max(1) as usize)
                    .chain([to])
                {
                    let col = spec.column_name(rt, t);
                    let n = slices
                        .iter()
                        .filter(|(lo, hi)| *lo <= col && col < *hi)
                        .count();
                    assert_eq!(n, 1, "{spec:?}: time {t} in {n} slices");
                }
            }
            assert!(column_slices(&spec, rt, 0, rt - 1, 4, H).is_empty());
        }
    }

    #[test]
    fn bounds_inside_and_across_rows() {
        let ms = RowSpec::default();
        let rt = 1_698_278_400_000;
        // Whole row: 0 .. W + 1.
        let (lo, hi) = column_bounds(&ms, rt, i64::MIN, i64::MAX).unwrap();
        assert_eq!((lo, hi), ([0; 4], ((W + 1) as i32).to_be_bytes()));
        // Inclusive end: the column of `end` plus one.
        let (lo, hi) = column_bounds(&ms, rt, rt + 10, rt + 20).unwrap();
        assert_eq!((i32::from_be_bytes(lo), i32::from_be_bytes(hi)), (10, 21));
        assert!(column_bounds(&ms, rt, rt + W, i64::MAX).is_none());
        assert!(column_bounds(&ms, rt, 0, rt - 1).is_none());
    }

    #[test]
    fn legacy_bounds_wrap_but_keep_unsigned_order() {
        let legacy = RowSpec::Legacy { width: W };
        let (lo, hi) = column_bounds(&legacy, 0, 0, i64::MAX).unwrap();
        assert_eq!(lo, [0; 4]);
        // (W << 1) + 1 as an unsigned 4-byte blob sorts after the last column (d = W - 1).
        assert_eq!(hi, [0xd8, 0x4b, 0x18, 0x01]);
        assert!(hi > legacy.column_name(0, W - 1));
    }

    #[test]
    fn negative_row_time() {
        let ms = RowSpec::default();
        let rt = ms.row_time(-1);
        assert_eq!(rt, -2);
        let (lo, hi) = column_bounds(&ms, rt, -10, 0).unwrap();
        assert_eq!((i32::from_be_bytes(lo), i32::from_be_bytes(hi)), (0, 3));
    }

    #[test]
    fn limit_is_bound_as_int() {
        let v = bounds_values(vec![1], [0; 4], [0, 0, 0, 1], u64::MAX);
        assert_eq!(v.last(), Some(&CqlValue::Int(i32::MAX)));
        assert_eq!(bounds_values(vec![1], [0; 4], [0; 4], 0).len(), 3);
    }
}
