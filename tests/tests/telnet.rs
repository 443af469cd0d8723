//! Telnet protocol (§5): put/putm/puts, version, dropped bad lines, line limit, garbage, exit, UTF-8.

use std::time::Duration;

use kairosdb_tests::json::{query, results, values};
use kairosdb_tests::{Server, TelnetClient};
use serde_json::json;

const T0: i64 = 1_700_000_000_000;

/// Sends `lines`, then `version`, and waits for the answer, so every line has been read by the server.
fn send_all(t: &mut TelnetClient, lines: &[&str]) {
    for l in lines {
        t.send_line(l).expect("send telnet line");
    }
    t.version().expect("version answer after lines");
}

#[test]
fn version_answers_one_line_matching_http_version() {
    let s = Server::start();
    let mut t = s.telnet();
    let line = t.version().expect("telnet version answer");
    assert!(
        line.starts_with("KairosDB "),
        "telnet version line {line:?}"
    );
    let http = s.get("/api/v1/version").json();
    assert_eq!(
        http["version"].as_str(),
        Some(line.as_str()),
        "telnet and HTTP versions differ"
    );
    // Several commands per connection.
    assert_eq!(t.version().expect("second version answer"), line);
}

#[test]
fn put_treats_small_timestamps_as_seconds() {
    let s = Server::start();
    let mut t = s.telnet();
    send_all(
        &mut t,
        &[
            "put tel.put 1700000000 12.5 host=a dc=east",
            // 3e9 and above is taken as milliseconds.
            "put tel.put 3000000001 7 host=a dc=east",
            "put\ttel.put  1700000001   8 host=a   dc=east",
        ],
    );
    let p = s.wait_points("tel.put", 0, 4_000_000_000_000, 3);
    assert_eq!(
        p,
        vec![
            (3_000_000_001, json!(7)),
            (T0, json!(12.5)),
            (T0 + 1000, json!(8))
        ]
    );
}

#[test]
fn putm_and_puts() {
    let s = Server::start();
    let mut t = s.telnet();
    send_all(
        &mut t,
        &[
            "putm tel.putm 1700000000123 13 host=a kairos_opt.ttl=600",
            "putm tel.putm 1700000000124 -2.0 host=a",
            "puts tel.puts 1700000000123 \"release 42\" host=a",
            "puts tel.puts 1700000000124 plain host=a",
        ],
    );
    let p = s.wait_points("tel.putm", T0, T0 + 1000, 2);
    assert_eq!(p, vec![(T0 + 123, json!(13)), (T0 + 124, json!(-2))]);
    let v = s.query(&query("tel.putm", T0, T0 + 1000));
    // kairos_opt.ttl is an option, not a tag.
    assert_eq!(results(&v, 0)[0]["tags"], json!({"host": ["a"]}), "{v}");
    let p = s.wait_points("tel.puts", T0, T0 + 1000, 2);
    assert_eq!(
        p,
        vec![(T0 + 123, json!("release 42")), (T0 + 124, json!("plain"))]
    );
}

#[test]
fn line_without_tags_gets_add_tag() {
    let s = Server::start();
    let mut t = s.telnet();
    send_all(&mut t, &["putm tel.notags 1700000000000 1"]);
    s.wait_points("tel.notags", T0, T0, 1);
    let v = s.query(&query("tel.notags", T0, T0));
    // §5.2 Quirk: a line with no tags is stored with the tag add=tag.
    assert_eq!(results(&v, 0)[0]["tags"], json!({"add": ["tag"]}), "{v}");
}

#[test]
fn bad_lines_are_dropped_and_later_lines_still_go_through() {
    let s = Server::start();
    let mut t = s.telnet();
    send_all(
        &mut t,
        &[
            "putm tel.bad 1700000000000 1 host=a",
            "putm tel.bad notanumber 2 host=a",
            "putm tel.bad 1700000000001 1e5 host=a",
            "putm tel.bad 1700000000002 nan host=a",
            "putm tel.bad 1700000000003 +3 host=a",
            "putm tel.bad 1700000000004 4 host",
            "putm tel.bad 1700000000005 5 =a",
            "putm tel.bad 1700000000006 6 host=",
            "putm tel.bad 1700000000007 7 host=a host=b",
            "putm tel.bad 1700000000008 8 host=a kairos_opt.ttl=abc",
            "putm tel.bad 1700000000009",
            "putm \"\" 1700000000010 10 host=a",
            "PUTM tel.bad 1700000000011 11 host=a",
            "bogus command here",
            "",
            "   ",
            "putm tel.bad 1700000000012 12 host=a",
        ],
    );
    let p = s.wait_points("tel.bad", T0, T0 + 100, 2);
    assert_eq!(p, vec![(T0, json!(1)), (T0 + 12, json!(12))]);
    assert_eq!(s.metric_names(None), vec!["tel.bad".to_string()]);
}

#[test]
fn lines_longer_than_max_command_size_are_dropped() {
    let s = Server::start();
    let mut t = s.telnet();
    let long_value = "x".repeat(4096);
    let too_long = format!("putm tel.long 1700000000000 1 host={long_value}");
    // Just under the 1024-byte default limit: accepted.
    let pad = "y".repeat(1000 - "putm tel.long 1700000000001 2 host=".len());
    let fits = format!("putm tel.long 1700000000001 2 host={pad}");
    assert!(fits.len() < 1024);
    send_all(
        &mut t,
        &[&too_long, &fits, "putm tel.long 1700000000002 3 host=a"],
    );
    let p = s.wait_points("tel.long", T0, T0 + 100, 2);
    assert_eq!(p, vec![(T0 + 1, json!(2)), (T0 + 2, json!(3))]);
}

#[test]
fn binary_garbage_does_not_break_the_connection_or_server() {
    let mut s = Server::start();
    let mut t = s.telnet();
    t.send_line("putm tel.garbage 1700000000000 1 host=a")
        .expect("send");
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    t.send_raw(&garbage).expect("send garbage");
    t.send_raw(b"\n\xff\xfe\x00\x01put\x00 m 1 1 a=b\r\n")
        .expect("send garbage line");
    send_all(&mut t, &["putm tel.garbage 1700000000001 2 host=a"]);
    let p = s.wait_points("tel.garbage", T0, T0 + 100, 2);
    assert_eq!(p, vec![(T0, json!(1)), (T0 + 1, json!(2))]);
    s.assert_alive();
    // A fresh connection still works.
    let mut t2 = s.telnet();
    assert!(t2
        .version()
        .expect("version on a new connection")
        .starts_with("KairosDB "));
}

#[test]
fn exit_closes_the_connection() {
    let s = Server::start();
    let mut t = s.telnet();
    t.send_line("putm tel.exit 1700000000000 1 host=a")
        .expect("send");
    t.send_line("exit").expect("send exit");
    assert!(
        t.wait_closed(Duration::from_secs(10)),
        "server did not close the connection after `exit`"
    );
    s.wait_points("tel.exit", T0, T0, 1);
}

#[test]
fn unterminated_last_line_is_discarded() {
    let s = Server::start();
    let mut t = s.telnet();
    t.send_raw(b"putm tel.unterminated 1700000000000 1 host=a")
        .expect("send");
    t.shutdown_write().expect("shutdown write");
    assert!(
        t.wait_closed(Duration::from_secs(10)),
        "server kept the half-closed connection open"
    );
    // A marker line on another connection, then check the unterminated line was not stored.
    let mut t2 = s.telnet();
    send_all(&mut t2, &["putm tel.marker 1700000000000 1 host=a"]);
    s.wait_points("tel.marker", T0, T0, 1);
    assert_eq!(s.points("tel.unterminated", T0, T0).len(), 0);
}

#[test]
fn lines_are_decoded_as_utf8() {
    let s = Server::start();
    let mut t = s.telnet();
    send_all(
        &mut t,
        &[
            "putm tél.métrique 1700000000000 1 hôte=été",
            "puts tel.text 1700000000000 你好 host=a",
        ],
    );
    s.wait_points("tél.métrique", T0, T0, 1);
    let v = s.query(&query("tél.métrique", T0, T0));
    assert_eq!(results(&v, 0)[0]["tags"], json!({"hôte": ["été"]}), "{v}");
    let p = s.wait_points("tel.text", T0, T0, 1);
    assert_eq!(p, vec![(T0, json!("你好"))]);
    assert!(s.metric_names(None).contains(&"tél.métrique".to_string()));
}

#[test]
fn crlf_and_several_connections() {
    let s = Server::start();
    let mut a = s.telnet();
    let mut b = s.telnet();
    a.send_raw(b"putm tel.conns 1700000000000 1 host=a\r\n")
        .expect("send a");
    b.send_raw(b"putm tel.conns 1700000000001 2 host=b\r\nputm tel.conns 1700000000002 3 host=b\n")
        .expect("send b");
    a.version().expect("version a");
    b.version().expect("version b");
    let v = s.wait_query(&query("tel.conns", T0, T0 + 10), "3 points", |v| {
        results(v, 0).iter().map(|r| values(r).len()).sum::<usize>() == 3
    });
    assert_eq!(
        results(&v, 0)[0]["tags"],
        json!({"host": ["a", "b"]}),
        "{v}"
    );
}

/// The server reads on while earlier lines are being written; the points still land in line
/// order (a later line for the same timestamp wins; on Cassandra only within one write), and
/// `version` answers only once every earlier line is queryable.
#[test]
fn lines_written_while_reading_on_keep_their_order() {
    let s = Server::start();
    let mut t = s.telnet();
    const STAMPS: i64 = 500;
    const LINES: i64 = 60_000;
    // ~4 MB in 200 writes: many reads, so several batches are in flight at once.
    for chunk in 0..(LINES / 300) {
        let mut text = String::new();
        for k in chunk * 300..(chunk + 1) * 300 {
            text.push_str(&format!(
                "putm tel.order {} {k} host=a pad=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
                T0 + k % STAMPS
            ));
        }
        t.send_raw(text.as_bytes()).expect("send lines");
    }
    t.version().expect("version answer after the lines");
    // No waiting: the answer means the points are stored.
    let v = s.query(&query("tel.order", T0, T0 + STAMPS));
    let got = values(&results(&v, 0)[0]);
    let want: Vec<_> = (0..STAMPS)
        .map(|i| (T0 + i, json!(LINES - STAMPS + i)))
        .collect();
    assert_eq!(got.len(), want.len(), "{} stamps", got.len());
    if std::env::var("KAIROSDB_TEST_DATASTORE").as_deref() == Ok("cassandra") {
        // Cassandra settles two writes of one cell carrying the same millisecond write
        // timestamp by value (Java's `USING TIMESTAMP` in ms, CQLBatch.java); within one
        // write the later point wins. So here: every stamp holds one of its own values.
        let foreign: Vec<_> = got
            .iter()
            .filter(|(t, v)| v.as_i64().is_none_or(|v| v % STAMPS != t - T0))
            .take(5)
            .collect();
        assert!(foreign.is_empty(), "values of other stamps: {foreign:?}");
        return;
    }
    let wrong: Vec<_> = got
        .iter()
        .zip(&want)
        .filter(|(g, w)| g != w)
        .take(5)
        .collect();
    assert!(wrong.is_empty(), "last line must win: {wrong:?}");
}
