//! The shipped example configuration parses and sets every default it shows.

use super::{Options, Sources};

#[test]
fn example_conf_loads_to_the_defaults() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kairosdb.example.conf");
    let opts = Options::load(&Sources {
        file: Some(path),
        ..Sources::default()
    })
    .unwrap();
    assert!(opts.ignored_keys.is_empty(), "{:?}", opts.ignored_keys);
    let defaults = Options::default();
    assert_eq!(opts.http, defaults.http);
    assert_eq!(opts.telnet, defaults.telnet);
    assert_eq!(opts.datastore, defaults.datastore);
    assert_eq!(opts.query, defaults.query);
    assert_eq!(opts.ingest, defaults.ingest);
    assert_eq!(opts.ops, defaults.ops);
}
