//! The real server on a real Cassandra (`--features cassandra`): ingest, query and delete
//! round trips, and the stored bytes read back with the driver (row keys, column names,
//! values, millisecond WRITETIMEs, TTLs, `spec`). Contact point: `$KAIROSDB_TEST_CASSANDRA`,
//! else 127.0.0.1:9042, else 127.0.0.1:19042 (scripts/cassandra.sh's port).
#![cfg(feature = "cassandra")]

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use kairosdb_tests::json::{all_values, metric, now_ms, query, unique_name};
use kairosdb_tests::{Server, ServerOptions};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::deserialize::row::DeserializeRow;
use scylla::value::CqlTimestamp;
use serde_json::{json, Value};

/// Row width of a fresh keyspace (three weeks in ms).
const W: i64 = 1_814_400_000;
/// A row boundary (2023-10-26T00:00:00Z).
const RT: i64 = 1_698_278_400_000;

fn reachable(addr: &str) -> Option<SocketAddr> {
    let a = addr.to_socket_addrs().ok()?.next()?;
    TcpStream::connect_timeout(&a, Duration::from_secs(2))
        .ok()
        .map(|_| a)
}

/// The Cassandra under test; fails the test when none answers.
fn contact() -> String {
    let candidates: Vec<String> = match std::env::var("KAIROSDB_TEST_CASSANDRA") {
        Ok(v) => vec![v],
        Err(_) => vec!["127.0.0.1:9042".into(), "127.0.0.1:19042".into()],
    };
    for c in &candidates {
        if reachable(c).is_some() {
            return c.clone();
        }
    }
    panic!(
        "no Cassandra at {}: start Cassandra with scripts/cassandra.sh start (or set KAIROSDB_TEST_CASSANDRA=host:port)",
        candidates.join(" or ")
    );
}

/// A driver session for direct reads, and the keyspace dropped when the test ends.
struct Cql {
    rt: tokio::runtime::Runtime,
    session: Session,
    keyspace: String,
}

impl Cql {
    fn new() -> Cql {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let addr = contact();
        let session = rt
            .block_on(SessionBuilder::new().known_node(&addr).build())
            .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
        let keyspace = unique_name("kdb").replace('.', "_");
        Cql {
            rt,
            session,
            keyspace,
        }
    }

    fn exec(&self, cql: &str) {
        self.rt
            .block_on(self.session.query_unpaged(cql, ()))
            .unwrap_or_else(|e| panic!("{cql}: {e}"));
    }

    fn rows<R: for<'f, 'm> DeserializeRow<'f, 'm>>(&self, cql: &str) -> Vec<R> {
        let cql = cql.replace("KS.", &format!("{}.", self.keyspace));
        let res = self
            .rt
            .block_on(self.session.query_unpaged(cql.as_str(), ()))
            .unwrap_or_else(|e| panic!("{cql}: {e}"));
        res.into_rows_result()
            .expect("rows")
            .rows::<R>()
            .expect("typed rows")
            .collect::<Result<Vec<R>, _>>()
            .expect("decode")
    }

    /// The real server on this keyspace.
    fn server(&self) -> Server {
        self.server_with(&[])
    }

    /// The real server on this keyspace, with extra environment variables.
    fn server_with(&self, extra: &[(&str, &str)]) -> Server {
        let mut env = vec![
            ("KAIROSDB_DATASTORE".to_string(), "cassandra".to_string()),
            ("KAIROSDB_CASSANDRA_CONTACT_POINTS".into(), contact()),
            ("KAIROSDB_CASSANDRA_KEYSPACE".into(), self.keyspace.clone()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Server::start_with(ServerOptions {
            env,
            ..ServerOptions::default()
        })
    }
}

impl Drop for Cql {
    fn drop(&mut self) {
        let cql = format!("DROP KEYSPACE IF EXISTS {}", self.keyspace);
        let _ = self.rt.block_on(self.session.query_unpaged(cql, ()));
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn series(name: &str, tags: &[(&str, &str)], points: &[(i64, Value)]) -> Value {
    json!([metric(name, tags, points)])
}

#[test]
fn worked_example_bytes_timestamps_and_ttls() {
    // spec cassandra-storage.md §2.5, §3.8, §4.7.
    let c = Cql::new();
    let s = c.server();
    let before = now_ms();
    let mut body = metric(
        "sys.cpu",
        &[("host", "a"), ("dc", "x")],
        &[(1_700_000_000_000, json!(42))],
    );
    body["ttl"] = json!(86_400);
    s.ingest(&json!([body]));
    let after = now_ms();

    type PointRow = (Vec<u8>, Vec<u8>, Vec<u8>, i64, i32);
    let rows: Vec<PointRow> =
        c.rows("SELECT key, column1, value, WRITETIME(value), TTL(value) FROM KS.data_points");
    assert_eq!(rows.len(), 1);
    let (key, column, value, written, ttl) = &rows[0];
    assert_eq!(
        hex(key),
        "7379732e637075000000018b6947e000000b6b6169726f735f6c6f6e6764633d783a686f73743d613a"
    );
    assert_eq!(hex(column), "669d8800");
    assert_eq!(hex(value), "54");
    assert!(
        (before..=after).contains(written),
        "WRITETIME {written} is not ms in [{before}, {after}]"
    );
    assert!((86_000..=86_400).contains(ttl), "TTL {ttl}");

    type KeyRow = (
        String,
        String,
        CqlTimestamp,
        String,
        BTreeMap<String, String>,
        i64,
        i32,
    );
    let keys: Vec<KeyRow> = c.rows(
        "SELECT metric, table_name, row_time, data_type, tags, WRITETIME(mtime), TTL(mtime) FROM KS.row_keys",
    );
    assert_eq!(keys.len(), 1);
    let k = &keys[0];
    assert_eq!(
        (k.0.as_str(), k.1.as_str(), k.2 .0, k.3.as_str()),
        ("sys.cpu", "data_points", RT, "kairos_long")
    );
    let tags: Vec<(&str, &str)> = k.4.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(tags, vec![("dc", "x"), ("host", "a")]);
    assert!(
        (before..=after).contains(&k.5),
        "row_keys WRITETIME {}",
        k.5
    );
    assert!(
        (1_900_000..=1_900_800).contains(&k.6),
        "row-key TTL {}",
        k.6
    );

    let times: Vec<(String, String, CqlTimestamp)> =
        c.rows("SELECT metric, table_name, row_time FROM KS.row_key_time_index");
    assert_eq!(
        times,
        vec![("sys.cpu".into(), "data_points".into(), CqlTimestamp(RT))]
    );
    let names: Vec<(Vec<u8>, String, Vec<u8>, i64)> =
        c.rows("SELECT key, column1, value, WRITETIME(value) FROM KS.string_index");
    assert_eq!(names.len(), 1);
    assert_eq!(
        (hex(&names[0].0), names[0].1.as_str(), hex(&names[0].2)),
        ("6d65747269635f6e616d6573".into(), "sys.cpu", "00".into())
    );
    assert!((before..=after).contains(&names[0].3));
    let spec: Vec<(String, String, String)> = c.rows("SELECT spec_type, name, value FROM KS.spec");
    assert_eq!(
        spec,
        vec![
            (
                "cluster_config".into(),
                "row_time_unit".into(),
                "MILLISECONDS".into()
            ),
            (
                "cluster_config".into(),
                "row_width".into(),
                "1814400000".into()
            ),
        ]
    );
    let release: Vec<(String,)> = c.rows("SELECT release_version FROM system.local");
    let major: u32 = release[0]
        .0
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .expect("version");
    if major >= 4 {
        let log = s.log_tail(400);
        assert!(log.contains("data_points is created without it"), "{log}");
    }
    assert!(
        c.rows::<(Vec<u8>,)>("SELECT key FROM KS.row_key_index")
            .is_empty(),
        "Rust never writes row_key_index"
    );
}

#[test]
fn value_types_and_many_tags_round_trip_byte_for_byte() {
    let c = Cql::new();
    let s = c.server();
    let name = "types";
    let tags: Vec<(String, String)> = (0..25)
        .map(|i| (format!("t{i:02}"), format!("v:{i}=x")))
        .collect();
    let tag_refs: Vec<(&str, &str)> = tags.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    s.ingest(&series(
        name,
        &tag_refs,
        &[
            (RT + 1, json!(-300)),
            (RT + 2, json!(1.5)),
            (RT + 3, json!("hé\u{0}😀")),
        ],
    ));
    let got = s.points(name, RT, RT + 10);
    assert_eq!(
        got,
        vec![
            (RT + 1, json!(-300)),
            (RT + 2, json!(1.5)),
            (RT + 3, json!("hé\u{0}😀"))
        ]
    );
    let rows: Vec<(Vec<u8>, Vec<u8>)> = c.rows("SELECT column1, value FROM KS.data_points");
    let mut by_col: Vec<(String, String)> = rows.iter().map(|(c, v)| (hex(c), hex(v))).collect();
    by_col.sort();
    assert_eq!(
        by_col,
        vec![
            ("00000001".into(), "d704".into()),
            ("00000002".into(), "3ff8000000000000".into()),
            ("00000003".into(), "000b68c3a9c080eda0bdedb880".into()),
        ]
    );
    let keys: Vec<(Vec<u8>,)> = c.rows("SELECT key FROM KS.data_points");
    let long_key = keys
        .iter()
        .find(|k| k.0.windows(11).any(|w| w == b"kairos_long"))
        .expect("long row");
    let tag_string: String = tags
        .iter()
        .map(|(n, v)| format!("{n}={}:", v.replace('=', "==").replace(':', "=:")))
        .collect();
    assert!(
        long_key.0.ends_with(tag_string.as_bytes()),
        "{}",
        String::from_utf8_lossy(&long_key.0)
    );
    // Tag filters and the 1.2 tag calls see every tag.
    let q = json!({"start_absolute": RT, "end_absolute": RT + 10, "metrics": [{"name": name, "tags": {"t07": ["v:7=x"]}}]});
    assert_eq!(all_values(&s.query(&q)).len(), 3);
    let q = json!({"start_absolute": RT, "end_absolute": RT + 10, "metrics": [{"name": name, "tags": {"t07": ["nope"]}}]});
    assert!(all_values(&s.query(&q)).is_empty());
}

#[test]
fn ranges_across_rows_negative_times_order_and_limit() {
    let c = Cql::new();
    let s = c.server();
    let name = "rows";
    let times = [
        RT - 1,
        RT,
        RT + W - 1,
        RT + W,
        RT + 2 * W + 5,
        -1,
        -3,
        -5_000_000_000,
        -W - 1,
    ];
    let points: Vec<(i64, Value)> = times.iter().map(|t| (*t, json!(*t % 1000))).collect();
    s.ingest(&series(name, &[("h", "a")], &points));
    let ts = |v: Vec<(i64, Value)>| v.into_iter().map(|p| p.0).collect::<Vec<_>>();
    assert_eq!(
        ts(s.points(name, RT - 1, RT + W)),
        vec![RT - 1, RT, RT + W - 1, RT + W]
    );
    assert_eq!(ts(s.points(name, RT, RT + W - 1)), vec![RT, RT + W - 1]);
    assert_eq!(
        ts(s.points(name, -6_000_000_000, 0)),
        vec![-5_000_000_000, -W - 1, -3, -1]
    );
    let q = json!({"start_absolute": RT - 1, "end_absolute": RT + 3 * W, "metrics": [{"name": name, "order": "desc", "limit": 3}]});
    assert_eq!(
        ts(all_values(&s.query(&q))),
        vec![RT + 2 * W + 5, RT + W, RT + W - 1]
    );
    let row_times: Vec<(CqlTimestamp,)> = c.rows("SELECT row_time FROM KS.row_key_time_index");
    let mut row_times: Vec<i64> = row_times.into_iter().map(|r| r.0 .0).collect();
    row_times.sort();
    assert_eq!(
        row_times,
        vec![
            -6_371_200_000,
            -W - 2,
            -6,
            -2,
            RT - W,
            RT,
            RT + W,
            RT + 2 * W
        ]
    );
}

/// A query over few rows reads each row in time slices at once (a day in four, each at least
/// an hour): points on and beside every cut come back once, in order both ways, across a row
/// boundary too, and a limit still counts from the right end.
#[test]
fn rows_read_in_slices_come_back_whole_and_in_order() {
    const H: i64 = 3_600_000;
    let c = Cql::new();
    let s = c.server();
    let name = "slices";
    let mut times: Vec<i64> = (0..)
        .map(|i| RT - 2 * H + i * 7 * 60_000)
        .take_while(|t| *t < RT + 30 * H)
        .collect();
    // The cuts of [RT, RT + 24 h - 1] and of the row-crossing range's second row.
    for cut in [6 * H, 12 * H, 18 * H, 15 * H] {
        times.extend([RT + cut - 1, RT + cut, RT + cut + 1]);
    }
    times.extend([RT - 1, RT, RT + 24 * H - 1]);
    times.sort_unstable();
    times.dedup();
    let points: Vec<(i64, Value)> = times.iter().map(|t| (*t, json!(t % 100_000))).collect();
    s.ingest(&series(name, &[("h", "a")], &points));
    let within = |a: i64, b: i64| -> Vec<(i64, Value)> {
        points
            .iter()
            .filter(|p| p.0 >= a && p.0 <= b)
            .cloned()
            .collect()
    };
    let ordered = |a: i64, b: i64, order: &str, limit: Option<u64>| -> Vec<(i64, Value)> {
        let mut m = json!({"name": name, "order": order});
        if let Some(l) = limit {
            m["limit"] = json!(l);
        }
        let q = json!({"start_absolute": a, "end_absolute": b, "metrics": [m]});
        all_values(&s.query(&q))
    };
    for (a, b) in [
        (RT, RT + 24 * H - 1),
        (RT - 2 * H, RT + 30 * H),
        (RT + H, RT + 4 * H),
    ] {
        let want = within(a, b);
        assert!(want.len() > 10, "{a}..{b}");
        assert_eq!(ordered(a, b, "asc", None), want, "asc {a}..{b}");
        let mut desc = want.clone();
        desc.reverse();
        assert_eq!(ordered(a, b, "desc", None), desc, "desc {a}..{b}");
        // Twice: the second read starts from the cached row keys.
        assert_eq!(ordered(a, b, "desc", None), desc, "desc again {a}..{b}");
        assert_eq!(ordered(a, b, "desc", Some(5)), desc[..5].to_vec());
        assert_eq!(ordered(a, b, "asc", Some(5)), want[..5].to_vec());
    }
}

#[test]
fn deletes_remove_what_java_removes_with_ms_tombstones() {
    let c = Cql::new();
    let s = c.server();
    let name = unique_name("del");
    let points: Vec<(i64, Value)> = [RT + 1, RT + 2, RT + 3, RT + W + 1, RT + 2 * W + 1]
        .iter()
        .map(|t| (*t, json!(1)))
        .collect();
    s.ingest(&series(&name, &[("h", "a")], &points));
    // Inside a row: only columns go; the row key stays.
    let r = s.post_json("/api/v1/datapoints/delete", &query(&name, RT + 2, RT + 2));
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(s.points(&name, 0, i64::MAX / 2).len(), 4);
    // A whole row: data, row_keys and row_key_time_index entries go.
    let r = s.post_json(
        "/api/v1/datapoints/delete",
        &query(&name, RT + W, RT + 2 * W - 1),
    );
    assert_eq!(r.status, 204, "{r:?}");
    let times: Vec<(CqlTimestamp,)> = c.rows("SELECT row_time FROM KS.row_key_time_index");
    assert!(
        times.contains(&(CqlTimestamp(RT),)) && !times.contains(&(CqlTimestamp(RT + W),)),
        "{times:?}"
    );
    // The partition keeps its static mtime (a row with no data type), as with Java.
    let keys: Vec<(CqlTimestamp, Option<String>)> =
        c.rows("SELECT row_time, data_type FROM KS.row_keys");
    assert!(
        keys.contains(&(CqlTimestamp(RT + W), None))
            && !keys.contains(&(CqlTimestamp(RT + W), Some("kairos_long".into()))),
        "{keys:?}"
    );
    assert_eq!(s.points(&name, 0, i64::MAX / 2).len(), 3);
    // A Java-style ms write after the delete must win over the tombstone (a µs tombstone
    // would shadow it for millennia).
    let mut key = name.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&RT.to_be_bytes());
    key.extend_from_slice(b"\x00\x0bkairos_longh=a:");
    c.exec(&format!(
        "INSERT INTO {}.data_points (key, column1, value) VALUES (0x{}, 0x00000002, 0x04) USING TIMESTAMP {}",
        c.keyspace,
        hex(&key),
        now_ms() + 1
    ));
    assert_eq!(
        s.points(&name, RT + 2, RT + 2),
        vec![(RT + 2, json!(2))],
        "a ms write was shadowed by the delete"
    );
    // The whole metric: every row and the name go.
    assert_eq!(s.delete(&format!("/api/v1/metric/{name}")).status, 204);
    assert!(s.points(&name, 0, i64::MAX / 2).is_empty());
    assert!(!s.metric_names(None).contains(&name));
    assert!(c
        .rows::<(String,)>("SELECT column1 FROM KS.string_index")
        .is_empty());
}

#[test]
fn existing_keyspace_spec_and_legacy_index_are_honoured() {
    let c = Cql::new();
    let ks = &c.keyspace;
    // A keyspace upgraded from 1.2: LEGACY spec, a pre-1.0 row found only through
    // row_key_index, and a row Java 1.3 wrote through row_keys.
    c.exec(&format!("CREATE KEYSPACE {ks} WITH REPLICATION = {{'class': 'SimpleStrategy','replication_factor' : 1}}"));
    for t in [
        "CREATE TABLE KS.data_points (key blob, column1 blob, value blob, PRIMARY KEY ((key), column1))",
        "CREATE TABLE KS.row_key_index (key blob, column1 blob, value blob, PRIMARY KEY ((key), column1))",
        "CREATE TABLE KS.string_index (key blob, column1 text, value blob, PRIMARY KEY ((key), column1))",
        "CREATE TABLE KS.spec (spec_type text, name text, value text, PRIMARY KEY ((spec_type), name))",
        "INSERT INTO KS.spec (spec_type, name, value) VALUES ('cluster_config', 'row_time_unit', 'LEGACY')",
        "INSERT INTO KS.spec (spec_type, name, value) VALUES ('cluster_config', 'row_width', '1814400000')",
        "INSERT INTO KS.string_index (key, column1, value) VALUES (0x6d65747269635f6e616d6573, 'old', 0x00)",
    ] {
        c.exec(&t.replace("KS.", &format!("{ks}.")));
    }
    // Old-form key `old\0<RT>h=a:`; long 300 at RT+5 (col 10), float 1.5 at RT+6 (col 13).
    let old_key = format!("6f6c6400{}683d613a", hex(&RT.to_be_bytes()));
    for (col, value) in [("0000000a", "012c"), ("0000000d", "013fc00000")] {
        c.exec(&format!("INSERT INTO {ks}.data_points (key, column1, value) VALUES (0x{old_key}, 0x{col}, 0x{value}) USING TIMESTAMP 1"));
    }
    c.exec(&format!(
        "INSERT INTO {ks}.row_key_index (key, column1, value) VALUES (0x6f6c64, 0x{old_key}, 0x00)"
    ));
    let s = c.server();
    assert_eq!(
        s.points("old", RT, RT + 10),
        vec![(RT + 5, json!(300)), (RT + 6, json!(1.5))]
    );
    // New writes use the shifted LEGACY columns (spec §3.3).
    s.ingest(&series(
        "new",
        &[("host", "a"), ("dc", "x")],
        &[(1_700_000_000_000, json!(42))],
    ));
    let all: Vec<(Vec<u8>, Vec<u8>)> = c.rows("SELECT key, column1 FROM KS.data_points");
    let new_col = all
        .iter()
        .find(|r| r.0.starts_with(b"new\0"))
        .expect("new row");
    assert_eq!(hex(&new_col.1), "cd3b1000");
    assert_eq!(
        s.points("new", 1_699_999_999_999, 1_700_000_000_001),
        vec![(1_700_000_000_000, json!(42))]
    );
    let mut names = s.metric_names(None);
    names.sort();
    assert_eq!(names, vec!["new".to_string(), "old".to_string()]);
    assert_eq!(s.metric_names(Some("ne")), vec!["new".to_string()]);
    let spec: Vec<(String,)> = c.rows(
        "SELECT value FROM KS.spec WHERE spec_type = 'cluster_config' AND name = 'row_time_unit'",
    );
    assert_eq!(spec, vec![("LEGACY".to_string(),)]);
}

#[test]
fn metric_names_with_data_but_no_spec_make_the_keyspace_legacy() {
    let c = Cql::new();
    let ks = &c.keyspace;
    c.exec(&format!("CREATE KEYSPACE {ks} WITH REPLICATION = {{'class': 'SimpleStrategy','replication_factor' : 1}}"));
    c.exec(&format!("CREATE TABLE {ks}.string_index (key blob, column1 text, value blob, PRIMARY KEY ((key), column1))"));
    c.exec(&format!("INSERT INTO {ks}.string_index (key, column1, value) VALUES (0x6d65747269635f6e616d6573, 'm', 0x00)"));
    let s = c.server();
    let spec: Vec<(String, String)> = c.rows("SELECT name, value FROM KS.spec");
    assert_eq!(
        spec,
        vec![
            ("row_time_unit".into(), "LEGACY".into()),
            ("row_width".into(), "1814400000".into())
        ]
    );
    s.ingest(&series("m", &[("h", "a")], &[(RT + 1, json!(7))]));
    let cols: Vec<(Vec<u8>,)> = c.rows("SELECT column1 FROM KS.data_points");
    assert_eq!(hex(&cols[0].0), "00000002");
    assert_eq!(s.points("m", RT, RT + 2), vec![(RT + 1, json!(7))]);
}

#[test]
fn tag_names_and_values_for_the_1_2_calls() {
    let c = Cql::new();
    let s = c.server();
    s.ingest(&json!([
        metric("a", &[("host", "h1"), ("dc", "x")], &[(RT, json!(1))]),
        metric("b", &[("rack", "r9")], &[(RT + W, json!(2))]),
    ]));
    let names = kairosdb_tests::string_results(&s, "/api/v1/tagnames");
    assert_eq!(names, vec!["dc", "host", "rack"]);
    let values = kairosdb_tests::string_results(&s, "/api/v1/tagvalues");
    assert_eq!(values, vec!["h1", "r9", "x"]);
}

#[test]
fn tag_indexed_row_keys_are_written_and_deleted_as_java_does() {
    // spec cassandra-storage.md §4.4, §4.7, §6.
    let c = Cql::new();
    let s = c.server_with(&[(
        "KAIROSDB_DATASTORE_CASSANDRA_WRITE_CLUSTER_TAG_INDEXED_ROW_KEY_LOOKUP_METRICS",
        r#"["sys.cpu"]"#,
    )]);
    let mut body = metric(
        "sys.cpu",
        &[("host", "a"), ("dc", "x")],
        &[(1_700_000_000_000, json!(42))],
    );
    body["ttl"] = json!(86_400);
    s.ingest(&json!([
        body,
        metric("plain", &[("host", "a")], &[(RT, json!(1))])
    ]));
    type IndexRow = (
        String,
        CqlTimestamp,
        String,
        String,
        i32,
        BTreeMap<String, String>,
        i32,
    );
    let mut rows: Vec<IndexRow> = c.rows(
        "SELECT metric, row_time, single_tag_pair, data_type, tag_collection_hash, tags, TTL(mtime) FROM KS.tag_indexed_row_keys",
    );
    rows.sort_by(|a, b| a.2.cmp(&b.2));
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (row, pair) in rows.iter().zip(["dc=x", "host=a"]) {
        assert_eq!(
            (row.0.as_str(), row.1 .0, row.2.as_str()),
            ("sys.cpu", RT, pair)
        );
        assert_eq!((row.3.as_str(), row.4), ("kairos_long", 1_750_428_808));
        assert_eq!(row.5.len(), 2);
        assert!((1_900_000..=1_900_800).contains(&row.6), "TTL {}", row.6);
    }
    let q = json!({"start_absolute": RT, "end_absolute": RT + W, "metrics": [{"name": "sys.cpu", "tags": {"host": "a"}}]});
    assert_eq!(
        all_values(&s.query(&q)),
        vec![(1_700_000_000_000, json!(42))]
    );
    assert_eq!(s.delete("/api/v1/metric/sys.cpu").status, 204);
    let rows: Vec<(String,)> = c.rows("SELECT single_tag_pair FROM KS.tag_indexed_row_keys WHERE data_type = 'kairos_long' ALLOW FILTERING");
    assert!(rows.is_empty(), "{rows:?}");
}

#[test]
fn seconds_row_time_unit_on_a_fresh_keyspace() {
    // spec cassandra-storage.md §3.2 Quirk 2, §3.3 SECONDS quirk.
    let c = Cql::new();
    let s = c.server_with(&[(
        "KAIROSDB_DATASTORE_CASSANDRA_WRITE_CLUSTER_ROW_TIME_UNIT",
        "SECONDS",
    )]);
    s.ingest(&series(
        "sec",
        &[("h", "a")],
        &[(1_700_000_000_789, json!(1))],
    ));
    let spec: Vec<(String, String)> = c.rows("SELECT name, value FROM KS.spec");
    assert_eq!(
        spec,
        vec![
            ("row_time_unit".into(), "SECONDS".into()),
            ("row_width".into(), "1814400".into())
        ]
    );
    let rows: Vec<(Vec<u8>, Vec<u8>)> = c.rows("SELECT key, column1 FROM KS.data_points");
    assert_eq!(hex(&rows[0].0[4..12]), "0000018bcfcdc600");
    assert_eq!(hex(&rows[0].1), "0000060d");
    assert_eq!(
        s.points("sec", 1_700_000_000_000, 1_700_000_001_000),
        vec![(1_700_000_000_200, json!(1))]
    );
}
