//! Splitting a metric's rows into output groups: by data type, then by the tag group-by
//! (DS/KairosDatastore.java `groupByTypeAndTag`, GB/TagGroupBy.java; spec query-engine.md §3.2, §4.1).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use protocols::java_cmp;
use protocols::json::format::push_quoted;

use crate::datastore::value_codec::group_type;
use crate::datastore::RowKey;

/// Rows that form one group before non-tag group-bys.
pub struct RowGroup {
    /// `number`/`text`; `None` for the placeholder group of a query that found no rows.
    pub group_type: Option<&'static str>,
    /// The tag group-by entry JSON, when a tag group-by is in force.
    pub tag_entry: Option<String>,
    /// The rows.
    pub rows: Vec<RowKey>,
}

impl RowGroup {
    /// The `group_by` entries: tag entry then type entry.
    pub fn entries(&self) -> Vec<String> {
        let mut e = Vec::new();
        e.extend(self.tag_entry.clone());
        if let Some(t) = self.group_type {
            e.push(format!("{{\"name\":\"type\",\"type\":\"{t}\"}}"));
        }
        e
    }

    /// Union of the rows' tags: names and values sorted (Java `TreeMultimap`).
    pub fn tags(&self) -> Vec<(String, Vec<String>)> {
        let mut union: HashMap<&str, HashSet<&str>> = HashMap::new();
        for row in &self.rows {
            for (n, v) in &row.tags {
                union.entry(n.as_str()).or_default().insert(v.as_str());
            }
        }
        let mut tags: Vec<(String, Vec<String>)> = union
            .into_iter()
            .map(|(n, vs)| {
                let mut vs: Vec<String> = vs.into_iter().map(str::to_string).collect();
                vs.sort_by(|a, b| java_cmp(a, b));
                (n.to_string(), vs)
            })
            .collect();
        tags.sort_by(|a, b| java_cmp(&a.0, &b.0));
        tags
    }
}

/// Groups rows by type (sorted), then by the tag group-by key (sorted, no separator, as Java).
pub fn group_rows(rows: Vec<RowKey>, tag_names: Option<&[String]>) -> Vec<RowGroup> {
    if rows.is_empty() {
        return vec![RowGroup {
            group_type: None,
            tag_entry: None,
            rows,
        }];
    }
    // (type, key) → group; collisions of the separator-less key share a group (Java quirk).
    let mut keyed: Vec<(&'static str, String, RowGroup)> = Vec::new();
    let mut index: HashMap<(&'static str, String), usize> = HashMap::new();
    for row in rows {
        let t = group_type(&row.data_type);
        let (key, entry) = match tag_names {
            Some(names) => tag_key(&row, names),
            None => (String::new(), None),
        };
        let k = (t, key);
        match index.get(&k) {
            Some(&i) => {
                let g = &mut keyed[i].2;
                // The entry of the last row with this key wins (a HashMap put per row).
                if entry.is_some() {
                    g.tag_entry = entry;
                }
                g.rows.push(row);
            }
            None => {
                index.insert(k.clone(), keyed.len());
                keyed.push((
                    k.0,
                    k.1,
                    RowGroup {
                        group_type: Some(t),
                        tag_entry: entry,
                        rows: vec![row],
                    },
                ));
            }
        }
    }
    keyed.sort_by(|a, b| {
        a.0.cmp(b.0)
            .then_with(|| java_cmp(&a.1, &b.1))
            .then(Ordering::Equal)
    });
    keyed.into_iter().map(|(_, _, g)| g).collect()
}

/// The group key and tag-result JSON of a row: name+value per group-by tag in request order,
/// `""` for a missing tag (GB/TagGroupByResult.java).
fn tag_key(row: &RowKey, names: &[String]) -> (String, Option<String>) {
    let mut key = String::new();
    let mut json = Vec::from(&b"{\"name\":\"tag\",\"tags\":["[..]);
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        push_quoted(&mut json, n);
    }
    json.extend_from_slice(b"],\"group\":{");
    for (i, n) in names.iter().enumerate() {
        let v = row
            .tags
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        key.push_str(n);
        key.push_str(v);
        if i > 0 {
            json.push(b',');
        }
        push_quoted(&mut json, n);
        json.push(b':');
        push_quoted(&mut json, v);
    }
    json.extend_from_slice(b"}}");
    (key, Some(String::from_utf8_lossy(&json).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: &str, tags: &[(&str, &str)]) -> RowKey {
        let tags: Vec<(String, String)> = tags
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        RowKey::new("m", 0, t, &tags)
    }

    #[test]
    fn type_then_tag_key_order() {
        let rows = vec![
            row("kairos_string", &[("host", "a")]),
            row("kairos_long", &[("host", "b")]),
            row("kairos_double", &[("host", "a")]),
            row("kairos_long", &[("host", "a")]),
        ];
        let names = vec!["host".to_string()];
        let groups = group_rows(rows, Some(&names));
        let summary: Vec<(Option<&str>, usize)> = groups
            .iter()
            .map(|g| (g.group_type, g.rows.len()))
            .collect();
        assert_eq!(
            summary,
            vec![(Some("number"), 2), (Some("number"), 1), (Some("text"), 1)]
        );
        assert_eq!(
            groups[0].entries(),
            vec![
                r#"{"name":"tag","tags":["host"],"group":{"host":"a"}}"#.to_string(),
                r#"{"name":"type","type":"number"}"#.to_string()
            ]
        );
    }

    #[test]
    fn missing_tag_is_empty_and_sorts_first() {
        // TEST/core/datastore/KairosDatastoreTest.java test_groupByTypeAndTag_SameTagValue
        let rows = vec![
            row("kairos_long", &[("tag1", "value")]),
            row("kairos_long", &[("tag2", "value")]),
        ];
        let names = vec!["tag1".to_string(), "tag2".to_string()];
        let groups = group_rows(rows, Some(&names));
        assert!(groups[0]
            .tag_entry
            .as_deref()
            .unwrap()
            .contains(r#""group":{"tag1":"","tag2":"value"}"#));
    }

    #[test]
    fn no_rows_gives_placeholder() {
        let groups = group_rows(vec![], None);
        assert_eq!(groups.len(), 1);
        assert!(groups[0].entries().is_empty());
        assert!(groups[0].tags().is_empty());
    }

    #[test]
    fn tags_union_sorted() {
        let rows = vec![
            row("kairos_long", &[("host", "b"), ("dc", "x")]),
            row("kairos_long", &[("host", "a")]),
        ];
        let g = group_rows(rows, None);
        assert_eq!(
            g[0].tags(),
            vec![
                ("dc".to_string(), vec!["x".to_string()]),
                ("host".to_string(), vec!["a".to_string(), "b".to_string()])
            ]
        );
    }
}
