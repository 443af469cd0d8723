//! Cassandra keys, defaults and contact points.

use super::*;

fn set(o: &mut CassandraOptions, k: &str, v: &str) -> Result<bool, ConfigError> {
    apply(o, k, v, k)
}

#[test]
fn java_defaults() {
    let o = CassandraOptions::default();
    assert_eq!(o.read_consistency, Consistency::One);
    assert_eq!(o.write_consistency, Consistency::Quorum);
    assert_eq!(o.create_with("data_points"), "WITH COMPACT STORAGE");
    assert_eq!(o.create_with("row_keys"), "");
    assert_eq!(o.create_with("spec"), "");
    assert_eq!(o.simultaneous_queries, 20);
    assert_eq!(o.compression, Some(Compression::Lz4));
}

#[test]
fn cluster_and_flat_keys() {
    let mut o = CassandraOptions::default();
    let k = |s: &str| format!("{ROOT}{s}");
    assert!(set(&mut o, &k("write_cluster.write_consistency_level"), "ONE").unwrap());
    assert!(set(&mut o, &k("read_consistency_level"), "local_quorum").unwrap());
    assert!(set(&mut o, &k("write_cluster.auth.user_name"), "u").unwrap());
    assert!(set(&mut o, &k("write_cluster.auth.password"), "p").unwrap());
    assert!(set(&mut o, &k("table_create_with.data_points"), "").unwrap());
    assert!(set(&mut o, &k("write_cluster.row_time_unit"), "SECONDS").unwrap());
    assert!(set(&mut o, &k("write_batch_size"), "50").unwrap());
    assert_eq!(o.query_reads_per_node, 4);
    assert!(set(&mut o, &k("query_reads_per_node"), "0").unwrap());
    assert!(!set(&mut o, &k("write_cluster.max_queue_size"), "500").unwrap());
    assert!(!set(&mut o, &k("table_create_with.nope"), "x").unwrap());
    assert!(!set(&mut o, "kairosdb.jetty.port", "1").unwrap());
    assert!(set(
        &mut o,
        &k("write_cluster.tag_indexed_row_key_lookup_metrics"),
        "[]"
    )
    .unwrap());
    assert!(o.tag_index.is_empty());
    let tk = k("write_cluster.tag_indexed_row_key_lookup_metrics");
    assert!(set(&mut o, &tk, r#"["m1", "*"]"#).unwrap());
    assert_eq!(o.tag_index.get("m1"), Some(&vec!["*".to_string()]));
    assert!(o.tag_index.contains_key("*"));
    assert!(set(&mut o, &tk, "{}").unwrap());
    assert!(o.tag_index.is_empty());
    assert!(set(&mut o, &format!("{tk}.m2"), "[host, dc]").unwrap());
    assert!(set(&mut o, &format!("{tk}.m3"), "[]").unwrap());
    assert_eq!(
        o.tag_index.get("m2"),
        Some(&vec!["host".to_string(), "dc".to_string()])
    );
    assert_eq!(o.tag_index.get("m3"), Some(&vec!["*".to_string()]));
    assert!(set(&mut o, &tk, "m").is_err());
    assert_eq!(o.write_consistency, Consistency::One);
    assert_eq!(o.read_consistency, Consistency::LocalQuorum);
    assert_eq!(
        (o.user.as_deref(), o.password.as_deref()),
        (Some("u"), Some("p"))
    );
    assert_eq!(o.create_with("data_points"), "");
    assert_eq!(o.row_time_unit, RowTimeUnit::Seconds);
    assert_eq!(o.write_batch_size, 50);
    assert_eq!(o.query_reads_per_node, 0);
}

#[test]
fn bad_values_name_the_key() {
    let mut o = CassandraOptions::default();
    for (k, v) in [
        ("write_cluster.write_consistency_level", "MOST"),
        ("write_cluster.row_time_unit", "HOURS"),
        ("datapoint_ttl", "-1"),
        ("datapoint_ttl", "630720001"),
        ("write_batch_size", "0"),
        ("query_reads_per_node", "-1"),
        ("use_ssl", "yes"),
    ] {
        let key = format!("{ROOT}{k}");
        let e = set(&mut o, &key, v).unwrap_err().to_string();
        assert!(e.contains(&key), "{e}");
    }
}

#[test]
fn from_a_config_file_and_the_environment() {
    use crate::config::{Options, Sources};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kairosdb.conf");
    std::fs::write(
        &path,
        "kairosdb.datastore.cassandra {\n  write_cluster {\n    cql_host_list: [\"10.0.0.1\", \"10.0.0.2:9043\"]\n    replication: \"{'class': 'NetworkTopologyStrategy','dc1' : 3}\"\n    read_consistency_level: \"LOCAL_ONE\"\n    connections_per_host.local.core: 5\n  }\n  table_create_with.data_points: \"\"\n}\n",
    )
    .unwrap();
    let env = [
        ("KAIROSDB_DATASTORE", "cassandra"),
        ("KAIROSDB_CASSANDRA_KEYSPACE", "ks1"),
        (
            "KAIROSDB_DATASTORE_CASSANDRA_WRITE_CLUSTER_WRITE_CONSISTENCY_LEVEL",
            "ALL",
        ),
    ];
    let o = Options::load(&Sources {
        file: Some(path),
        env: env
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        flags: vec![],
    })
    .unwrap();
    let d = &o.datastore;
    assert_eq!(d.kind, crate::config::DatastoreKind::Cassandra);
    assert_eq!(
        d.cassandra_contact_points,
        vec!["10.0.0.1", "10.0.0.2:9043"]
    );
    assert_eq!(d.cassandra_keyspace, "ks1");
    assert_eq!(
        d.cassandra.replication,
        "{'class': 'NetworkTopologyStrategy','dc1' : 3}"
    );
    assert_eq!(d.cassandra.read_consistency, Consistency::LocalOne);
    assert_eq!(d.cassandra.write_consistency, Consistency::All);
    assert_eq!(d.cassandra.create_with("data_points"), "");
    // Java keys with no effect here are listed, not refused.
    assert_eq!(
        o.ignored_keys,
        vec!["kairosdb.datastore.cassandra.write_cluster.connections_per_host.local.core"]
    );
}

#[test]
fn contact_points() {
    assert_eq!(
        contact_point("localhost").unwrap(),
        ("localhost".into(), 9042)
    );
    assert_eq!(
        contact_point("10.0.0.1:9043").unwrap(),
        ("10.0.0.1".into(), 9043)
    );
    assert_eq!(contact_point("[::1]:9999").unwrap(), ("::1".into(), 9999));
    assert_eq!(contact_point("[::1]").unwrap(), ("::1".into(), 9042));
    assert_eq!(contact_point("::1").unwrap(), ("::1".into(), 9042));
    assert!(contact_point("h:port").is_err());
    assert!(contact_point("").is_err());
}

#[test]
fn ssl_keys_under_the_cluster() {
    let mut o = CassandraOptions::default();
    for (k, v) in [
        ("write_cluster.use_ssl", "true"),
        ("write_cluster.ssl.ca_file", "/etc/ca.pem"),
        ("ssl.cert_file", "/etc/c.pem"),
        ("ssl.key_file", "/etc/k.pem"),
        ("write_cluster.ssl.hostname_validation", "TRUE"),
    ] {
        assert!(set(&mut o, &format!("{ROOT}{k}"), v).unwrap(), "{k}");
    }
    assert!(o.use_ssl && o.ssl.hostname_validation);
    assert_eq!(
        o.ssl.ca_file.as_deref(),
        Some(std::path::Path::new("/etc/ca.pem"))
    );
    assert_eq!(
        o.ssl.key_file.as_deref(),
        Some(std::path::Path::new("/etc/k.pem"))
    );
    let e = set(&mut o, &format!("{ROOT}ssl.hostname_validation"), "on");
    assert!(e.unwrap_err().to_string().contains("hostname_validation"));
}

#[test]
fn read_clusters_and_meta_cluster_are_refused_unless_empty() {
    let mut o = CassandraOptions::default();
    assert!(set(&mut o, &format!("{ROOT}read_clusters"), "[]").unwrap());
    // The Java default file parks its example under another name.
    assert!(!set(&mut o, &format!("{ROOT}read_clusters_not.0.name"), "x").unwrap());
    for k in ["read_clusters.0.name", "meta_cluster.cql_host_list"] {
        let key = format!("{ROOT}{k}");
        let e = set(&mut o, &key, "x").unwrap_err().to_string();
        assert!(e.contains(&key) && e.contains("not supported"), "{e}");
    }
}
