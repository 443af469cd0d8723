//! Tag filters of a query: values OR-ed within a tag, tags AND-ed
//! (CASS/CQLFilteredRowKeyIterator.java; spec query-engine.md §3.1).

use regex::Regex;

/// A compiled tag filter.
#[derive(Clone, Debug, Default)]
pub struct TagFilter {
    tags: Vec<TagCondition>,
}

#[derive(Clone, Debug)]
struct TagCondition {
    name: String,
    values: Vec<String>,
    regex: Option<Regex>,
}

/// A `regex:` filter value that is not a valid regular expression.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadRegex(pub String);

impl TagFilter {
    /// No filtering: every row matches.
    pub fn all() -> Self {
        TagFilter::default()
    }

    /// Compiles a filter; values starting with `regex_prefix` (unless empty) are whole-value
    /// regexes, and only the last such value per tag (in sorted order) counts, as in Java.
    pub fn new(tags: &[(String, Vec<String>)], regex_prefix: &str) -> Result<Self, BadRegex> {
        let mut conditions = Vec::with_capacity(tags.len());
        for (name, values) in tags {
            if values.is_empty() {
                continue;
            }
            let mut plain = Vec::new();
            let mut regex = None;
            for v in values {
                match v
                    .strip_prefix(regex_prefix)
                    .filter(|_| !regex_prefix.is_empty())
                {
                    Some(pattern) => {
                        let anchored = format!("^(?:{pattern})$");
                        regex = Some(Regex::new(&anchored).map_err(|e| BadRegex(e.to_string()))?);
                    }
                    None => plain.push(v.clone()),
                }
            }
            conditions.push(TagCondition {
                name: name.clone(),
                values: plain,
                regex,
            });
        }
        Ok(TagFilter { tags: conditions })
    }

    /// Whether a row with these tags matches.
    pub fn matches(&self, row_tags: &[(String, String)]) -> bool {
        self.tags.iter().all(|cond| {
            row_tags.iter().any(|(n, v)| {
                n == &cond.name
                    && (cond.values.iter().any(|x| x == v)
                        || cond.regex.as_ref().is_some_and(|r| r.is_match(v)))
            })
        })
    }

    /// True when the filter has no condition.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// The conditions, for an index: tag name, plain values, and the regex if any.
    pub fn conditions(&self) -> impl Iterator<Item = (&str, &[String], Option<&Regex>)> {
        self.tags
            .iter()
            .map(|c| (c.name.as_str(), c.values.as_slice(), c.regex.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn or_within_and_across() {
        let f = TagFilter::new(
            &[
                ("host".into(), vec!["a".into(), "b".into()]),
                ("dc".into(), vec!["x".into()]),
            ],
            "regex:",
        )
        .unwrap();
        assert!(f.matches(&tags(&[("dc", "x"), ("host", "a")])));
        assert!(f.matches(&tags(&[("dc", "x"), ("host", "b"), ("z", "1")])));
        assert!(!f.matches(&tags(&[("dc", "y"), ("host", "a")])));
        assert!(!f.matches(&tags(&[("host", "a")])));
    }

    #[test]
    fn regex_matches_whole_value() {
        let f = TagFilter::new(&[("host".into(), vec!["regex:web.*".into()])], "regex:").unwrap();
        assert!(f.matches(&tags(&[("host", "web1")])));
        assert!(!f.matches(&tags(&[("host", "aweb1")])));
        let off = TagFilter::new(&[("host".into(), vec!["regex:web.*".into()])], "").unwrap();
        assert!(!off.matches(&tags(&[("host", "web1")])));
        assert!(TagFilter::new(&[("host".into(), vec!["regex:(".into()])], "regex:").is_err());
    }

    #[test]
    fn empty_value_list_adds_no_filter() {
        let f = TagFilter::new(&[("host".into(), vec![])], "regex:").unwrap();
        assert!(f.is_empty());
        assert!(f.matches(&tags(&[("dc", "x")])));
    }
}
