use super::parse;

fn get<'a>(kv: &'a [(String, String)], k: &str) -> Option<&'a str> {
    kv.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

#[test]
fn the_shapes_of_the_java_default_file() {
    // The constructs of KairosDB 1.3's src/main/resources/kairosdb.conf, in its layout.
    let text = r#"
kairosdb: {
	jetty.port: 8080   # trailing comment
	service.datastore: "org.kairosdb.datastore.cassandra.CassandraModule"
	datastore: {
		cassandra: {
			write_cluster: {
				cql_host_list: ["localhost", "kairos02:9043"]
				replication: "{'class': 'SimpleStrategy','replication_factor' : 1}"
				connections_per_host: {
					local.core: 5
					local.max: 100
				}
			}
			read_clusters_not: [
				{
					name: "read_cluster"
					//cql_host_list: ["kairos01"]
					cql_host_list: ["localhost"]
					start_time: "2001-07-04T12:08-0700"
				}
				]

		}
	}
	reporter.schedule: "0 */1 * * * ?"
	queries.regex_prefix = "re#x:"
}
"#;
    let kv = parse(text).unwrap();
    assert_eq!(get(&kv, "kairosdb.jetty.port"), Some("8080"));
    let w = "kairosdb.datastore.cassandra.write_cluster";
    assert_eq!(
        get(&kv, &format!("{w}.cql_host_list")),
        Some(r#"["localhost", "kairos02:9043"]"#)
    );
    assert_eq!(
        get(&kv, &format!("{w}.replication")),
        Some("{'class': 'SimpleStrategy','replication_factor' : 1}")
    );
    assert_eq!(
        get(&kv, &format!("{w}.connections_per_host.local.max")),
        Some("100")
    );
    let r = "kairosdb.datastore.cassandra.read_clusters_not.0";
    assert_eq!(get(&kv, &format!("{r}.name")), Some("read_cluster"));
    assert_eq!(
        get(&kv, &format!("{r}.cql_host_list")),
        Some(r#"["localhost"]"#)
    );
    assert_eq!(
        get(&kv, "kairosdb.reporter.schedule"),
        Some("0 */1 * * * ?")
    );
    assert_eq!(get(&kv, "kairosdb.queries.regex_prefix"), Some("re#x:"));
    assert_eq!(kv.len(), 11, "{kv:?}");
}

#[test]
fn separators_commas_braces_and_quoted_keys() {
    let kv = parse(
        "a { b = 1, c: two words }\nd.e { \"f.g\": [x, \"y\\\"z\"] }\n\"h\" = \"\"\"raw \"q\" \"\"\"\n",
    )
    .unwrap();
    assert_eq!(get(&kv, "a.b"), Some("1"));
    assert_eq!(get(&kv, "a.c"), Some("two words"));
    assert_eq!(get(&kv, "d.e.\"f.g\""), Some(r#"[x, "y\"z"]"#));
    assert_eq!(get(&kv, "h"), Some("raw \"q\" "));
}

#[test]
fn a_root_object_in_braces() {
    let kv = parse("{\n  kairosdb.jetty.port = 9\n}\n").unwrap();
    assert_eq!(
        kv,
        vec![("kairosdb.jetty.port".to_string(), "9".to_string())]
    );
}

#[test]
fn errors_name_the_line() {
    for (text, line, what) in [
        ("a {\n b = 1\n", "line 3", "unclosed '{'"),
        ("}\n", "line 1", "expected a key"),
        ("a = [1,\n2\n", "line 3", "unclosed '['"),
        ("a\n", "line 1", "expected 'key = value'"),
        ("x = \"open\n", "line 1", "unclosed '\"'"),
        ("x = ${HOME}\n", "line 1", "substitutions"),
        ("include \"other.conf\"\n", "line 1", "include"),
    ] {
        let e = parse(text).unwrap_err();
        assert!(e.starts_with(line) && e.contains(what), "{text:?}: {e}");
    }
}
