//! The unit of ingestion: points of one series (metric + tag set).

use std::cmp::Ordering;

use plugin_api::{DataPoint, Value};

/// What one heap allocation costs beyond its bytes (size-class rounding), in the estimate.
const PER_ALLOCATION: usize = 16;

/// Points of one series, as a front-end hands them to the ingest core.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPoints {
    /// Metric name (non-empty).
    pub metric: String,
    /// Tags sorted by name in Java `String` order (UTF-16 code units), names unique.
    pub tags: Vec<(String, String)>,
    /// Time-to-live in seconds; 0 means the datastore default.
    pub ttl: i64,
    /// The points, in arrival order.
    pub points: Vec<DataPoint>,
}

/// Java `String.compareTo`: compares UTF-16 code units, not bytes.
pub fn java_cmp(a: &str, b: &str) -> Ordering {
    // Byte order equals UTF-16 order unless a surrogate pair meets a char in U+E000..U+FFFF.
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

impl SeriesPoints {
    /// Bytes this series holds, inline and on the heap (an estimate for memory bounds).
    pub fn memory_bytes(&self) -> usize {
        let string = |s: &String| match s.capacity() {
            0 => 0,
            c => c + PER_ALLOCATION,
        };
        let tags = self.tags.capacity() * std::mem::size_of::<(String, String)>()
            + self
                .tags
                .iter()
                .map(|(k, v)| string(k) + string(v))
                .sum::<usize>();
        let texts: usize = self
            .points
            .iter()
            .map(|p| match &p.value {
                Value::Text(t) => string(t),
                _ => 0,
            })
            .sum();
        std::mem::size_of::<Self>()
            + string(&self.metric)
            + tags
            + PER_ALLOCATION
            + self.points.capacity() * std::mem::size_of::<DataPoint>()
            + PER_ALLOCATION
            + texts
    }

    /// Sorts `tags` in Java order (the order of a Java `TreeMap<String,String>`).
    pub fn sort_tags(tags: &mut [(String, String)]) {
        tags.sort_by(|a, b| java_cmp(&a.0, &b.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(tags: usize, points: usize) -> SeriesPoints {
        SeriesPoints {
            metric: "sys.cpu.user".into(),
            tags: (0..tags)
                .map(|i| (format!("tag{i}"), format!("value{i}")))
                .collect(),
            ttl: 0,
            points: (0..points as i64).map(|t| DataPoint::long(t, t)).collect(),
        }
    }

    #[test]
    fn memory_counts_names_tags_and_points() {
        let one = series(4, 1);
        // The series, its name, four tag pairs and their strings, one point.
        let floor = std::mem::size_of::<SeriesPoints>()
            + 12
            + 4 * std::mem::size_of::<(String, String)>()
            + 4 * (4 + 6)
            + std::mem::size_of::<DataPoint>();
        assert!(one.memory_bytes() >= floor, "{}", one.memory_bytes());
        let many = series(4, 1000);
        let per_point = (many.memory_bytes() - one.memory_bytes()) / 999;
        assert_eq!(per_point, std::mem::size_of::<DataPoint>());
        let mut text = series(0, 0);
        text.points.push(DataPoint {
            timestamp: 0,
            value: Value::Text("x".repeat(1000)),
        });
        assert!(text.memory_bytes() >= 1000 + std::mem::size_of::<DataPoint>());
    }
}
