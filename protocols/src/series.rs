//! The unit of ingestion: points of one series (metric + tag set).

use std::cmp::Ordering;

use plugin_api::DataPoint;

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
    /// Sorts `tags` in Java order (the order of a Java `TreeMap<String,String>`).
    pub fn sort_tags(tags: &mut [(String, String)]) {
        tags.sort_by(|a, b| java_cmp(&a.0, &b.0));
    }
}
