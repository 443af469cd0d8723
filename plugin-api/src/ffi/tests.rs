//! Round trips through the boundary in one process: built-in-style processors are exported to
//! vtables and wrapped again by the foreign types, forcing every call through `extern "C"`.

use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::Arc;

use serde_json::{json, Map, Value as Json};

use super::*;
use crate::{
    AggregateError, Aggregator, DataPoint, GroupInfo, Order, ParamError, QueryContext, Value,
};

mod processors;

use processors::{BombFactory, EchoFactory, ModFactory, SumFactory, STATES_DROPPED};

/// Sends an aggregator factory through the FFI and back.
fn round_trip_aggregator(f: Arc<dyn AggregatorFactory>) -> Arc<dyn AggregatorFactory> {
    // SAFETY: the vtable comes from the exporter of this very process.
    let foreign = unsafe { ForeignAggregatorFactory::new(FfiAggregatorFactory::from(f)) };
    Arc::new(foreign.expect("describe"))
}

/// Sends a group-by factory through the FFI and back.
fn round_trip_group_by(f: Arc<dyn GroupByFactory>) -> Arc<dyn GroupByFactory> {
    // SAFETY: as above.
    let foreign = unsafe { ForeignGroupByFactory::new(FfiGroupByFactory::from(f)) };
    Arc::new(foreign.expect("describe"))
}

fn ctx() -> QueryContext {
    QueryContext {
        start: 1000,
        end: i64::MAX,
        now: 5000,
        time_zone: Some("Europe/Paris".into()),
        default_time_zone: "UTC".into(),
        order: Order::Desc,
        group_bys: vec![("tag".into(), json!({"name": "tag", "tags": ["host"]}))],
        sink: None,
    }
}

fn params(v: Json) -> Map<String, Json> {
    v.as_object().cloned().unwrap_or_default()
}

fn run(
    a: &dyn Aggregator,
    points: &[DataPoint],
    batch: usize,
) -> Result<Vec<DataPoint>, AggregateError> {
    let info = GroupInfo {
        metric: "m".into(),
        group_type: "number".into(),
        tags: vec![("host".into(), vec!["a".into(), "b".into()])],
    };
    let mut s = a.open(&info)?;
    let mut out = Vec::new();
    for chunk in points.chunks(batch) {
        s.push(chunk, &mut out)?;
    }
    s.finish(&mut out)?;
    Ok(out)
}

fn sample() -> Vec<DataPoint> {
    (0..50)
        .map(|i| DataPoint::long(i * 3, i * i - 20))
        .chain((50..60).map(|i| DataPoint::double(i * 3, i as f64 * 0.1)))
        .collect()
}

#[test]
fn foreign_aggregator_matches_the_native_one() {
    let native = SumFactory;
    let foreign = round_trip_aggregator(Arc::new(SumFactory));
    assert_eq!(foreign.name(), "test_sum");
    assert_eq!(foreign.metadata(), native.metadata());
    let p = params(json!({"name": "test_sum", "width": 7}));
    let a = native.create(&p, &ctx()).unwrap();
    let b = foreign.create(&p, &ctx()).unwrap();
    assert!(b.accepts("number") && !b.accepts("text"));
    assert_eq!(b.output_type("number"), "number");
    let expected = run(a.as_ref(), &sample(), 4096).unwrap();
    for batch in [1, 3, 64, 4096] {
        assert_eq!(run(b.as_ref(), &sample(), batch).unwrap(), expected);
    }
}

#[test]
fn every_value_kind_crosses_both_ways() {
    let echo = round_trip_aggregator(Arc::new(EchoFactory));
    let a = echo.create(&Map::new(), &ctx()).unwrap();
    assert_eq!(a.output_type("text"), "text+echo");
    let points = vec![
        DataPoint::long(i64::MIN, i64::MIN),
        DataPoint::long(-5, i64::MAX),
        DataPoint::double(0, f64::NAN),
        DataPoint::double(1, -0.0),
        DataPoint::double(2, f64::INFINITY),
        DataPoint {
            timestamp: 3,
            value: Value::Text("héllo\0wörld".into()),
        },
        DataPoint {
            timestamp: 4,
            value: Value::Text(String::new()),
        },
        DataPoint {
            timestamp: i64::MAX,
            value: Value::Null,
        },
    ];
    let out = run(a.as_ref(), &points, 3).unwrap();
    assert_eq!(out.len(), points.len() + 1);
    for (got, want) in out.iter().zip(&points) {
        assert_eq!(got.timestamp, want.timestamp);
        match (&got.value, &want.value) {
            (Value::Double(g), Value::Double(w)) => assert_eq!(g.to_bits(), w.to_bits()),
            (g, w) => assert_eq!(g, w),
        }
    }
    let Value::Text(group) = &out[points.len()].value else {
        panic!("no group text")
    };
    assert_eq!(
        group,
        r#"{"metric":"m","group_type":"number","tags":[["host",["a","b"]]]}"#
    );
}

#[test]
fn parameter_errors_keep_their_kind_and_message() {
    let f = round_trip_aggregator(Arc::new(SumFactory));
    let err = |v: Json| f.create(&params(v), &ctx()).err().expect("an error");
    assert_eq!(
        err(json!({"width": 0})),
        ParamError::Invalid("width must be greater than or equal to 1".into())
    );
    assert_eq!(
        err(json!({"bogus": 1})),
        ParamError::InvalidNoContext("unknown key 'bogus'".into())
    );
    assert_eq!(
        err(json!({"width": 99})),
        ParamError::Internal("cannot validate null".into())
    );
}

#[test]
fn panics_become_errors() {
    let f = round_trip_aggregator(Arc::new(SumFactory));
    match f.create(&params(json!({"explode": "create"})), &ctx()) {
        Err(ParamError::Internal(m)) => {
            assert_eq!(m, "aggregator 'test_sum' panicked: boom in create")
        }
        other => panic!("expected an internal error, got {:?}", other.err()),
    }
    let a = f
        .create(&params(json!({"explode": "push"})), &ctx())
        .unwrap();
    assert_eq!(
        run(a.as_ref(), &sample(), 10).unwrap_err(),
        AggregateError::msg("aggregator 'test_sum' panicked: boom in push")
    );
    // `accepts` cannot fail: the fault surfaces at `open`.
    let a = f
        .create(&params(json!({"explode": "accepts"})), &ctx())
        .unwrap();
    assert!(a.accepts("number"));
    assert_eq!(
        a.open(&GroupInfo::default()).err().unwrap(),
        AggregateError::msg("aggregator 'test_sum' panicked: boom in accepts")
    );
    let a = f.create(&params(json!({"fail": true})), &ctx()).unwrap();
    assert_eq!(
        run(a.as_ref(), &sample(), 10).unwrap_err(),
        AggregateError::Failed(None)
    );
}

#[test]
fn dropping_the_foreign_state_releases_the_plugin_state() {
    let f = round_trip_aggregator(Arc::new(SumFactory));
    let a = f.create(&Map::new(), &ctx()).unwrap();
    let before = STATES_DROPPED.load(AtomicOrdering::SeqCst);
    drop(a.open(&GroupInfo::default()).unwrap());
    assert!(STATES_DROPPED.load(AtomicOrdering::SeqCst) > before);
}

#[test]
fn a_panicking_destructor_in_the_plugin_does_not_abort() {
    let f = round_trip_aggregator(Arc::new(BombFactory));
    let a = f.create(&Map::new(), &ctx()).unwrap();
    drop(a.open(&GroupInfo::default()).unwrap());
}

#[test]
fn foreign_group_by_gives_ids_and_entries() {
    let f = round_trip_group_by(Arc::new(ModFactory));
    assert_eq!(f.name(), "test_mod");
    assert_eq!(f.metadata().name, "test_mod");
    assert_eq!(
        f.create(&params(json!({"n": 0})), &ctx()).err().unwrap(),
        ParamError::Invalid("n must be at least 1".into())
    );
    let g = f.create(&params(json!({"n": 3})), &ctx()).unwrap();
    assert_eq!(g.tag_names(), None);
    let mut ids = vec![42];
    let batch: Vec<DataPoint> = (0..7).map(|i| DataPoint::long(i, i - 2)).collect();
    g.group_ids(&batch, &mut ids).unwrap();
    assert_eq!(ids, vec![42, 1, 2, 0, 1, 2, 0, 1]);
    assert_eq!(g.result_json(2), r#"{"name":"test_mod","group":2}"#);
    assert_eq!(
        g.group_ids(&[DataPoint::double(0, 1.0)], &mut ids)
            .unwrap_err(),
        AggregateError::msg("not a long")
    );
    let text = DataPoint {
        timestamp: 0,
        value: Value::Text("x".into()),
    };
    assert_eq!(
        g.group_ids(&[text], &mut ids).unwrap_err(),
        AggregateError::msg("group-by 'test_mod' panicked: boom in group_ids")
    );
    assert_eq!(ids.len(), 8, "a failed call appends nothing");
}

#[test]
fn json_payloads_round_trip() {
    let c = ctx();
    let back = json::context_from_json(&json::context_to_json(&c)).unwrap();
    assert_eq!(format!("{back:?}"), format!("{c:?}"));
    let p = params(json!({"name": "x", "b": [1, 2.5, "s"], "a": {"z": null}}));
    assert_eq!(
        json::params_from_json(&json::params_to_json(&p)).unwrap(),
        p
    );
}

fn exports() -> Result<PluginExports, String> {
    Ok(PluginExports::new()
        .aggregator(SumFactory)
        .aggregator(EchoFactory)
        .group_by(ModFactory))
}

unsafe extern "C" fn load_ok(registrar: FfiRegistrar) -> FfiResult {
    load_exports(registrar, exports)
}

unsafe extern "C" fn load_refused(registrar: FfiRegistrar) -> FfiResult {
    load_exports(registrar, || Err("no licence key".to_string()))
}

unsafe extern "C" fn load_panics(registrar: FfiRegistrar) -> FfiResult {
    load_exports(registrar, || panic!("constructor boom"))
}

#[test]
fn a_root_loads_its_factories() {
    let root = FfiPluginRoot::new("test-plugin", "1.2.3", load_ok);
    // SAFETY: the root is of this version and its code is this test binary.
    unsafe {
        assert_eq!(read_api_version(&root), API_VERSION);
        let p = load_plugin(&root).unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("test-plugin", "1.2.3")
        );
        let names: Vec<&str> = p.aggregators.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["test_sum", "test_echo"]);
        assert_eq!(p.group_bys[0].name(), "test_mod");
    }
}

#[test]
fn constructor_errors_and_panics_refuse_the_root() {
    // SAFETY: as above.
    unsafe {
        let root = FfiPluginRoot::new("p", "0", load_refused);
        assert_eq!(load_plugin(&root).err().unwrap(), "no licence key");
        let root = FfiPluginRoot::new("p", "0", load_panics);
        assert_eq!(
            load_plugin(&root).err().unwrap(),
            "the plugin constructor panicked: constructor boom"
        );
        let mut root = FfiPluginRoot::new("p", "0", load_ok);
        root.size = 8;
        assert!(load_plugin(&root)
            .err()
            .unwrap()
            .contains("root has 8 bytes"));
    }
}
