//! The CQL text of every statement, as Java 1.3 sends it (CASS/ClusterConnection.java;
//! spec cassandra-storage.md §1, §4.3, §5, §6).

/// `table_name` column value of every index row.
pub const DATA_POINTS_TABLE: &str = "data_points";

/// `string_index.key` of the metric-name rows (UTF-8 of `metric_names`).
pub const METRIC_NAMES_KEY: &[u8] = b"metric_names";
/// `string_index.key` of the pre-1.3 tag-name rows.
pub const TAG_NAMES_KEY: &[u8] = b"tag_names";
/// `string_index.key` of the pre-1.3 tag-value rows.
pub const TAG_VALUES_KEY: &[u8] = b"tag_values";

/// Base `CREATE TABLE` of each table, in Java's creation order (WRITE role, then META).
pub const CREATE_TABLES: &[(&str, &str)] = &[
    (
        "data_points",
        "CREATE TABLE IF NOT EXISTS data_points (\n  key blob,\n  column1 blob,\n  value blob,\n  PRIMARY KEY ((key), column1)\n)",
    ),
    (
        "row_key_index",
        "CREATE TABLE IF NOT EXISTS row_key_index (\n  key blob,\n  column1 blob,\n  value blob,\n  PRIMARY KEY ((key), column1)\n)",
    ),
    (
        "string_index",
        "CREATE TABLE IF NOT EXISTS string_index (\n  key blob,\n  column1 text,\n  value blob,\n  PRIMARY KEY ((key), column1)\n)",
    ),
    (
        "row_keys",
        "CREATE TABLE IF NOT EXISTS row_keys (\n  metric text,\n  table_name text, \n  row_time timestamp,\n  data_type text,\n  tags frozen<map<text, text>>,\n  mtime timeuuid static,\n  value text,\n  PRIMARY KEY ((metric, table_name, row_time), data_type, tags)\n)",
    ),
    (
        "tag_indexed_row_keys",
        "CREATE TABLE IF NOT EXISTS tag_indexed_row_keys (\n  metric text,\n  table_name text, \n  row_time timestamp,\n  single_tag_pair text,\n  tag_collection_hash int,\n  data_type text,\n  tags frozen<map<text, text>>,\n  mtime timeuuid static,\n  value text,\n  PRIMARY KEY ((metric, table_name, row_time, single_tag_pair), data_type, tag_collection_hash, tags)\n)",
    ),
    (
        "row_key_time_index",
        "CREATE TABLE IF NOT EXISTS row_key_time_index (\n  metric text,\n  table_name text,\n  row_time timestamp,\n  value text,\n  PRIMARY KEY ((metric), table_name, row_time)\n)",
    ),
    (
        "spec",
        "CREATE TABLE IF NOT EXISTS spec ( spec_type text, name text, value text, PRIMARY KEY ((spec_type), name))",
    ),
    (
        "service_index",
        "CREATE TABLE IF NOT EXISTS service_index ( service text, service_key text, key text, mtime timeuuid static,  value text, PRIMARY KEY ((service, service_key), key))",
    ),
];

/// `data_points` insert; the write timestamp (ms) is bound explicitly.
pub const DATA_POINTS_INSERT: &str =
    "INSERT INTO data_points (key, column1, value) VALUES (?, ?, ?) USING TTL ? AND TIMESTAMP ?";
/// `row_key_time_index` insert.
pub const ROW_KEY_TIME_INSERT: &str =
    "INSERT INTO row_key_time_index (metric, table_name, row_time) VALUES (?, ?, ?) USING TTL ?";
/// `row_keys` insert.
pub const ROW_KEY_INSERT: &str = "INSERT INTO row_keys (metric, table_name, row_time, data_type, tags, mtime) VALUES (?, ?, ?, ?, ?, now()) USING TTL ?";
/// `tag_indexed_row_keys` insert, one per indexed tag pair.
pub const TAG_INDEXED_ROW_KEY_INSERT: &str = "INSERT INTO tag_indexed_row_keys (metric, table_name, row_time, data_type, single_tag_pair, tag_collection_hash, tags, mtime) VALUES (?, ?, ?, ?, ?, ?, ?, now()) USING TTL ?";
/// Removes one `tag_indexed_row_keys` row.
pub const TAG_INDEXED_ROW_KEY_DELETE: &str = "DELETE FROM tag_indexed_row_keys WHERE metric = ? AND table_name = ? AND row_time = ? AND data_type = ? AND single_tag_pair = ? AND tag_collection_hash = ? AND tags = ?";
/// `string_index` insert (metric names).
pub const STRING_INDEX_INSERT: &str =
    "INSERT INTO string_index (key, column1, value) VALUES (?, ?, 0x00)";

/// All names under one `string_index` key.
pub const STRING_INDEX_QUERY: &str = "SELECT column1 FROM string_index WHERE key = ?";
/// Names from a lower bound on (prefix search).
pub const STRING_INDEX_FROM_QUERY: &str =
    "SELECT column1 FROM string_index WHERE key = ? AND column1 >= ?";
/// Is there any metric name (LEGACY detection).
pub const STRING_INDEX_ANY: &str = "SELECT column1 FROM string_index WHERE key = ? LIMIT 1";
/// Removes a metric name.
pub const STRING_INDEX_DELETE: &str = "DELETE FROM string_index WHERE key = ? AND column1 = ?";

/// Legacy index lookup by search keys.
pub const ROW_KEY_INDEX_QUERY: &str =
    "SELECT column1 FROM row_key_index WHERE key = ? AND column1 >= ? AND column1 < ?";
/// Removes one legacy index entry.
pub const ROW_KEY_INDEX_DELETE: &str = "DELETE FROM row_key_index WHERE KEY = ? AND column1 = ?";
/// Removes a metric's legacy index partition.
pub const ROW_KEY_INDEX_DELETE_ROW: &str = "DELETE FROM row_key_index WHERE KEY = ?";

/// Row times of a metric.
pub const ROW_KEY_TIME_QUERY: &str = "SELECT row_time FROM row_key_time_index WHERE metric = ? AND table_name = ? AND row_time >= ? AND row_time <= ?";
/// Row keys of one row time.
pub const ROW_KEY_QUERY: &str = "SELECT row_time, data_type, tags, TTL (value) FROM row_keys WHERE metric = ? AND table_name = ? AND row_time = ?";
/// The static `mtime` of one row time's `row_keys` partition (ours: the key cache's check).
pub const ROW_KEY_MTIME_QUERY: &str =
    "SELECT DISTINCT mtime FROM row_keys WHERE metric = ? AND table_name = ? AND row_time = ?";
/// Removes one row time.
pub const ROW_KEY_TIME_DELETE: &str =
    "DELETE FROM row_key_time_index WHERE metric = ? AND table_name = ? AND row_time = ?";
/// Removes one row key.
pub const ROW_KEY_DELETE: &str = "DELETE FROM row_keys WHERE metric = ? AND table_name = ? AND row_time = ? AND data_type = ? AND tags = ?";

/// Columns of one row, ascending.
pub const DATA_POINTS_QUERY_ASC: &str = "SELECT column1, value FROM data_points WHERE key = ? AND column1 >= ? AND column1 < ? ORDER BY column1 ASC";
/// Columns of one row, descending.
pub const DATA_POINTS_QUERY_DESC: &str = "SELECT column1, value FROM data_points WHERE key = ? AND column1 >= ? AND column1 < ? ORDER BY column1 DESC";
/// Columns of one row, ascending, limited.
pub const DATA_POINTS_QUERY_ASC_LIMIT: &str = "SELECT column1, value FROM data_points WHERE key = ? AND column1 >= ? AND column1 < ? ORDER BY column1 ASC LIMIT ?";
/// Columns of one row, descending, limited.
pub const DATA_POINTS_QUERY_DESC_LIMIT: &str = "SELECT column1, value FROM data_points WHERE key = ? AND column1 >= ? AND column1 < ? ORDER BY column1 DESC LIMIT ?";
/// Number of columns in a range (ours: the engine asks for sample sizes first).
pub const DATA_POINTS_COUNT: &str =
    "SELECT COUNT(*) FROM data_points WHERE key = ? AND column1 >= ? AND column1 < ?";
/// Removes a whole row.
pub const DATA_POINTS_DELETE_ROW: &str = "DELETE FROM data_points WHERE key = ?";
/// Removes an inclusive column range.
pub const DATA_POINTS_DELETE_RANGE: &str =
    "DELETE FROM data_points WHERE key = ? AND column1 >= ? AND column1 <= ?";

/// Reads one `spec` setting.
pub fn spec_select(name: &str) -> String {
    format!("SELECT value FROM spec WHERE spec_type = 'cluster_config' AND name = '{name}'")
}

/// Stores one `spec` setting.
pub fn spec_insert(name: &str, value: &str) -> String {
    format!(
        "INSERT INTO spec (spec_type, name, value) VALUES ('cluster_config', '{name}', '{value}')"
    )
}

/// `CREATE KEYSPACE` with the replication map pasted in.
pub fn create_keyspace(keyspace: &str, replication: &str) -> String {
    format!("CREATE KEYSPACE IF NOT EXISTS {keyspace}  WITH REPLICATION = {replication}")
}

/// A keyspace name Cassandra accepts unquoted (Java pastes it in as is).
pub fn valid_keyspace(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 48
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `CREATE TABLE` for `table` with its suffix; on Cassandra 4.0 and later `COMPACT STORAGE`
/// is dropped from the suffix (deprecated there, refusable by a guardrail; same CQL columns).
pub fn create_table(base: &str, create_with: &str, major_version: u32) -> String {
    let suffix = if major_version >= 4 {
        strip_compact_storage(create_with)
    } else {
        create_with.trim().to_string()
    };
    format!("{base} {suffix}")
}

/// Removes `COMPACT STORAGE` from a `WITH ... AND ...` clause.
pub fn strip_compact_storage(create_with: &str) -> String {
    let text = create_with.trim();
    let Some(body) = text
        .get(..5)
        .filter(|w| w.eq_ignore_ascii_case("WITH "))
        .map(|_| &text[5..])
    else {
        return text.to_string();
    };
    let options: Vec<&str> = split_and(body)
        .into_iter()
        .filter(|o| !o.trim().eq_ignore_ascii_case("COMPACT STORAGE"))
        .collect();
    if options.is_empty() {
        String::new()
    } else {
        format!("WITH {}", options.join(" AND "))
    }
}

/// Splits on top-level ` AND ` (outside quotes and braces), case-insensitively.
fn split_and(body: &str) -> Vec<&str> {
    let bytes = body.as_bytes();
    let (mut depth, mut quoted, mut start, mut i) = (0i32, false, 0usize, 0usize);
    let mut parts = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'{' | b'(' | b'[' if !quoted => depth += 1,
            b'}' | b')' | b']' if !quoted => depth -= 1,
            b' ' if !quoted
                && depth == 0
                && body
                    .get(i..i + 5)
                    .is_some_and(|w| w.eq_ignore_ascii_case(" AND ")) =>
            {
                parts.push(body[start..i].trim());
                start = i + 5;
                i += 5;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(body[start..].trim());
    parts
}

/// Major version of a `release_version` string such as `5.0.2`.
pub fn major_version(release: &str) -> Option<u32> {
    release.split('.').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn schema_matches_the_spec() {
        // spec cassandra-storage.md §1.3, whitespace aside.
        let want = [
            "CREATE TABLE IF NOT EXISTS data_points ( key blob, column1 blob, value blob, PRIMARY KEY ((key), column1) )",
            "CREATE TABLE IF NOT EXISTS row_key_index ( key blob, column1 blob, value blob, PRIMARY KEY ((key), column1) )",
            "CREATE TABLE IF NOT EXISTS string_index ( key blob, column1 text, value blob, PRIMARY KEY ((key), column1) )",
            "CREATE TABLE IF NOT EXISTS row_keys ( metric text, table_name text, row_time timestamp, data_type text, tags frozen<map<text, text>>, mtime timeuuid static, value text, PRIMARY KEY ((metric, table_name, row_time), data_type, tags) )",
            "CREATE TABLE IF NOT EXISTS tag_indexed_row_keys ( metric text, table_name text, row_time timestamp, single_tag_pair text, tag_collection_hash int, data_type text, tags frozen<map<text, text>>, mtime timeuuid static, value text, PRIMARY KEY ((metric, table_name, row_time, single_tag_pair), data_type, tag_collection_hash, tags) )",
            "CREATE TABLE IF NOT EXISTS row_key_time_index ( metric text, table_name text, row_time timestamp, value text, PRIMARY KEY ((metric), table_name, row_time) )",
            "CREATE TABLE IF NOT EXISTS spec ( spec_type text, name text, value text, PRIMARY KEY ((spec_type), name))",
            "CREATE TABLE IF NOT EXISTS service_index ( service text, service_key text, key text, mtime timeuuid static, value text, PRIMARY KEY ((service, service_key), key))",
        ];
        assert_eq!(CREATE_TABLES.len(), want.len());
        for ((table, cql), want) in CREATE_TABLES.iter().zip(want) {
            assert_eq!(norm(cql), want, "{table}");
        }
        let names: Vec<&str> = CREATE_TABLES.iter().map(|t| t.0).collect();
        assert_eq!(names, super::super::options::TABLES);
    }

    #[test]
    fn statements_match_the_spec() {
        // spec cassandra-storage.md §4.3, §5.2, §5.4, §6.
        assert_eq!(DATA_POINTS_INSERT, "INSERT INTO data_points (key, column1, value) VALUES (?, ?, ?) USING TTL ? AND TIMESTAMP ?");
        assert_eq!(ROW_KEY_INSERT, "INSERT INTO row_keys (metric, table_name, row_time, data_type, tags, mtime) VALUES (?, ?, ?, ?, ?, now()) USING TTL ?");
        assert_eq!(ROW_KEY_TIME_INSERT, "INSERT INTO row_key_time_index (metric, table_name, row_time) VALUES (?, ?, ?) USING TTL ?");
        assert_eq!(
            STRING_INDEX_INSERT,
            "INSERT INTO string_index (key, column1, value) VALUES (?, ?, 0x00)"
        );
        assert_eq!(
            DATA_POINTS_DELETE_RANGE,
            "DELETE FROM data_points WHERE key = ? AND column1 >= ? AND column1 <= ?"
        );
        assert_eq!(ROW_KEY_DELETE, "DELETE FROM row_keys WHERE metric = ? AND table_name = ? AND row_time = ? AND data_type = ? AND tags = ?");
        assert_eq!(DATA_POINTS_QUERY_DESC_LIMIT, "SELECT column1, value FROM data_points WHERE key = ? AND column1 >= ? AND column1 < ? ORDER BY column1 DESC LIMIT ?");
        assert_eq!(ROW_KEY_TIME_QUERY, "SELECT row_time FROM row_key_time_index WHERE metric = ? AND table_name = ? AND row_time >= ? AND row_time <= ?");
        assert_eq!(
            METRIC_NAMES_KEY,
            [0x6d, 0x65, 0x74, 0x72, 0x69, 0x63, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x73]
        );
        assert_eq!(spec_insert("row_time_unit", "LEGACY"), "INSERT INTO spec (spec_type, name, value) VALUES ('cluster_config', 'row_time_unit', 'LEGACY')");
        assert_eq!(
            create_keyspace("kairosdb", "{'class': 'SimpleStrategy','replication_factor' : 1}"),
            "CREATE KEYSPACE IF NOT EXISTS kairosdb  WITH REPLICATION = {'class': 'SimpleStrategy','replication_factor' : 1}"
        );
    }

    #[test]
    fn compact_storage_only_before_4_0() {
        let base = CREATE_TABLES[0].1;
        assert!(create_table(base, "WITH COMPACT STORAGE", 3).ends_with(") WITH COMPACT STORAGE"));
        assert!(create_table(base, "WITH COMPACT STORAGE", 4).ends_with(") "));
        assert!(create_table(base, "WITH COMPACT STORAGE", 5).ends_with(") "));
        assert_eq!(
            strip_compact_storage("WITH COMPACT STORAGE AND compaction = {'class': 'TimeWindowCompactionStrategy', 'x': 'a and b'}"),
            "WITH compaction = {'class': 'TimeWindowCompactionStrategy', 'x': 'a and b'}"
        );
        assert_eq!(
            strip_compact_storage("with gc_grace_seconds = 10 and compact storage"),
            "WITH gc_grace_seconds = 10"
        );
        assert_eq!(strip_compact_storage(""), "");
        assert_eq!(major_version("5.0.2"), Some(5));
        assert_eq!(major_version("3.11.17"), Some(3));
        assert!(valid_keyspace("kairos_db1") && !valid_keyspace("a;drop") && !valid_keyspace(""));
    }
}
