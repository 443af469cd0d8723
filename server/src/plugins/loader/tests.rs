//! Refusals and registration of plugin roots in one process: roots are built with the same
//! exporter a plugin library uses, around built-in processors, so every call crosses the FFI.

use std::path::Path;
use std::sync::Arc;

use plugin_api::ffi::{load_exports, FfiPluginRoot, FfiRegistrar, FfiResult, PluginExports};
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, DataPoint, GroupInfo, Order, ParamError,
    ProcessorMetadata, QueryContext, Registry,
};
use serde_json::json;

use super::{load_library, register_root, PluginError};

fn builtins() -> Registry {
    let mut r = Registry::new();
    aggregators::register_builtins(&mut r).expect("built-ins register");
    r
}

/// A built-in under another name, as a plugin would ship it.
struct Renamed(&'static str, Arc<dyn AggregatorFactory>);

impl AggregatorFactory for Renamed {
    fn name(&self) -> &str {
        self.0
    }

    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata {
            name: self.0.to_string(),
            ..self.1.metadata()
        }
    }

    fn create(
        &self,
        params: &serde_json::Map<String, serde_json::Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        self.1.create(params, ctx)
    }
}

fn builtin(name: &str) -> Arc<dyn AggregatorFactory> {
    builtins().aggregator(name).expect("a built-in").clone()
}

unsafe extern "C" fn load_sum(registrar: FfiRegistrar) -> FfiResult {
    load_exports(registrar, || {
        Ok(PluginExports::new().aggregator(Renamed("plugin_sum", builtin("sum"))))
    })
}

unsafe extern "C" fn load_clash(registrar: FfiRegistrar) -> FfiResult {
    load_exports(registrar, || {
        Ok(PluginExports::new()
            .aggregator(Renamed("fresh_name", builtin("sum")))
            .aggregator(Renamed("avg", builtin("sum"))))
    })
}

unsafe extern "C" fn load_refused(registrar: FfiRegistrar) -> FfiResult {
    load_exports(registrar, || Err("missing licence".into()))
}

fn register(root: &FfiPluginRoot, registry: &mut Registry) -> Result<Vec<String>, PluginError> {
    // SAFETY: the root and its code are part of this test binary.
    unsafe { register_root(Path::new("/p/lib.so"), root, registry) }.map(|s| s.aggregators)
}

fn ctx() -> QueryContext {
    QueryContext {
        start: 0,
        end: i64::MAX,
        now: 0,
        time_zone: None,
        default_time_zone: "UTC".into(),
        order: Order::Asc,
        group_bys: Vec::new(),
        sink: None,
    }
}

fn run(a: &dyn Aggregator, points: &[DataPoint]) -> Result<Vec<DataPoint>, AggregateError> {
    let mut s = a.open(&GroupInfo::default())?;
    let mut out = Vec::new();
    for chunk in points.chunks(100) {
        s.push(chunk, &mut out)?;
    }
    s.finish(&mut out)?;
    Ok(out)
}

#[test]
fn a_builtin_through_the_ffi_answers_as_the_builtin() {
    let mut registry = builtins();
    let root = FfiPluginRoot::new("test", "0.1.0", load_sum);
    assert_eq!(register(&root, &mut registry).unwrap(), ["plugin_sum"]);
    let params = json!({"name": "sum", "sampling": {"value": 1, "unit": "minutes"}});
    let params = params.as_object().cloned().unwrap_or_default();
    let native = registry
        .aggregator("sum")
        .unwrap()
        .create(&params, &ctx())
        .unwrap();
    let foreign = registry.aggregator("plugin_sum").unwrap();
    assert_eq!(
        foreign.metadata().properties,
        builtin("sum").metadata().properties
    );
    let foreign = foreign.create(&params, &ctx()).unwrap();
    let points: Vec<DataPoint> = (0..1000)
        .map(|i| DataPoint::long(i * 997, i % 13))
        .collect();
    assert_eq!(
        run(foreign.as_ref(), &points),
        run(native.as_ref(), &points)
    );
    let bad = json!({"name": "sum", "sampling": {"value": -1, "unit": "minutes"}});
    let bad = bad.as_object().cloned().unwrap_or_default();
    let e = registry
        .aggregator("plugin_sum")
        .unwrap()
        .create(&bad, &ctx());
    assert_eq!(
        e.err(),
        registry
            .aggregator("sum")
            .unwrap()
            .create(&bad, &ctx())
            .err()
    );
}

#[test]
fn another_api_version_is_refused_before_anything_runs() {
    let mut registry = builtins();
    let mut root = FfiPluginRoot::new("test", "0.1.0", load_refused);
    root.api_version = plugin_api::API_VERSION + 1;
    let e = register(&root, &mut registry).unwrap_err();
    assert!(matches!(e, PluginError::IncompatibleVersion { .. }), "{e}");
    assert!(
        e.to_string().contains("/p/lib.so") && e.to_string().contains("version 2"),
        "{e}"
    );
    let mut root = FfiPluginRoot::new("test", "0.1.0", load_refused);
    root.size = 4;
    let e = register(&root, &mut registry).unwrap_err();
    assert!(matches!(e, PluginError::IncompatibleVersion { .. }), "{e}");
}

#[test]
fn a_failing_constructor_is_refused() {
    let mut registry = builtins();
    let root = FfiPluginRoot::new("test", "0.1.0", load_refused);
    let e = register(&root, &mut registry).unwrap_err();
    assert_eq!(
        e.to_string(),
        "refused plugin /p/lib.so: its constructor failed: missing licence"
    );
}

#[test]
fn a_name_clash_refuses_the_whole_plugin() {
    let mut registry = builtins();
    let root = FfiPluginRoot::new("test", "0.1.0", load_clash);
    let e = register(&root, &mut registry).unwrap_err();
    assert_eq!(
        e.to_string(),
        "refused plugin /p/lib.so: aggregator 'avg' clashes with a built-in or an earlier plugin"
    );
    assert!(
        registry.aggregator("fresh_name").is_none(),
        "nothing registered"
    );
    // The same plugin twice: the second clashes with the first.
    let root = FfiPluginRoot::new("test", "0.1.0", load_sum);
    register(&root, &mut registry).unwrap();
    let e = register(&root, &mut registry).unwrap_err();
    assert!(matches!(e, PluginError::NameClash { .. }), "{e}");
}

#[test]
fn missing_libraries_and_symbols_are_refused() {
    let mut registry = builtins();
    let e = load_library(Path::new("/nonexistent/libnothing.so"), &mut registry).unwrap_err();
    assert!(matches!(e, PluginError::MissingLibrary { .. }), "{e}");
    assert!(e
        .to_string()
        .starts_with("refused plugin /nonexistent/libnothing.so: cannot open"));
    // Any shared library without the entry symbol: the C library.
    let e = load_library(Path::new("libc.so.6"), &mut registry).unwrap_err();
    assert!(matches!(e, PluginError::MissingSymbol { .. }), "{e}");
    assert!(e.to_string().contains("kairosdb_plugin_root"), "{e}");
}

#[test]
fn candidates_list_the_directory_then_the_paths_once() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["libb.so", "liba.so", "notes.txt"] {
        std::fs::write(dir.path().join(f), b"").unwrap();
    }
    let options = crate::config::PluginOptions {
        directory: Some(dir.path().to_path_buf()),
        paths: vec![dir.path().join("liba.so"), "/x/libc.so".into()],
    };
    let (paths, errors) = super::super::candidates(&options);
    assert!(errors.is_empty());
    assert_eq!(
        paths,
        vec![
            dir.path().join("liba.so"),
            dir.path().join("libb.so"),
            "/x/libc.so".into()
        ]
    );
    let options = crate::config::PluginOptions {
        directory: Some("/nonexistent/plugins".into()),
        paths: Vec::new(),
    };
    let (paths, errors) = super::super::candidates(&options);
    assert!(paths.is_empty());
    assert!(matches!(
        errors[..],
        [PluginError::UnreadableDirectory { .. }]
    ));
}

#[test]
fn plugin_keys_and_variables_configure_the_options() {
    use crate::config::{Options, Sources};
    let env = [
        ("KAIROSDB_PLUGINS_DIR", "/opt/kairosdb/plugins"),
        ("KAIROSDB_PLUGINS_PATHS", "/a/liba.so, /b/libb.so"),
    ];
    let sources = Sources {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Sources::default()
    };
    let o = Options::load(&sources).unwrap();
    assert_eq!(o.plugins.directory, Some("/opt/kairosdb/plugins".into()));
    assert_eq!(
        o.plugins.paths,
        vec![std::path::PathBuf::from("/a/liba.so"), "/b/libb.so".into()]
    );
    let flags = vec![("kairosdb.plugins.directory".to_string(), String::new())];
    let o = Options::load(&Sources { flags, ..sources }).unwrap();
    assert_eq!(
        o.plugins.directory, None,
        "an empty value means no directory"
    );
    assert_eq!(
        Options::default().plugins,
        crate::config::PluginOptions::default()
    );
}
