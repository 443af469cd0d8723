//! Cost of the plugin boundary: the same aggregation as a built-in and through a plugin
//! library, in one process, on the same points and batch sizes as the query engine uses.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kairosdb_bench::Flags;
use libloading::Library;
use plugin_api::ffi::{load_plugin, read_api_version, EntryFn, ENTRY_SYMBOL};
use plugin_api::serde_json::json;
use plugin_api::{
    Aggregator, AggregatorFactory, DataPoint, GroupInfo, Order, QueryContext, Registry,
};

const USAGE: &str = "usage: boundary [options]

  --plugin PATH   the mad-aggregator library (default: libmad_aggregator.so beside this binary)
  --points N      points per run (default 2000000, one per second)
  --rounds N      runs per case; the fastest counts (default 5)
  --batches LIST  batch sizes pushed per call (default 4096,64,1; the engine uses 4096)

Runs built-in `sum` (align_sampling) against the plugin's `plugin_sum`, and the built-in
`percentile` 0.5 against the plugin's `mad` (both sort each range), per minute. The plugin's
code also runs linked in directly (no boundary), so `ffi - direct` is the boundary's cost.";

fn plugin_path(flags: &Flags) -> PathBuf {
    let default = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("libmad_aggregator.so")))
        .unwrap_or_default();
    let p = flags.string("plugin", &default.display().to_string());
    PathBuf::from(p)
}

/// Loads the plugin's factories into `registry` (as the server's loader does).
fn load(path: &PathBuf, registry: &mut Registry) -> Result<(), String> {
    // SAFETY: the benchmark's own example plugin; the library is leaked, never unloaded.
    unsafe {
        let lib = Library::new(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let entry: EntryFn = *lib
            .get::<EntryFn>(ENTRY_SYMBOL.as_bytes())
            .map_err(|e| e.to_string())?;
        std::mem::forget(lib);
        let root = entry();
        if read_api_version(root) != plugin_api::API_VERSION {
            return Err("another plugin API version".into());
        }
        let loaded = load_plugin(&*root)?;
        for f in loaded.aggregators {
            registry
                .register_aggregator(Arc::new(f))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
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

fn create(registry: &Registry, params: plugin_api::serde_json::Value) -> Box<dyn Aggregator> {
    let params = params.as_object().cloned().unwrap_or_default();
    let name = params["name"].as_str().unwrap_or_default().to_string();
    let f = registry
        .aggregator(&name)
        .unwrap_or_else(|| panic!("no aggregator {name}"));
    f.create(&params, &ctx())
        .unwrap_or_else(|e| panic!("cannot create {name}: {e}"))
}

/// One run: fresh group state, all points in `batch`-sized pushes; returns time and output.
fn run(agg: &dyn Aggregator, points: &[DataPoint], batch: usize) -> (Duration, Vec<DataPoint>) {
    let info = GroupInfo {
        metric: "bench".into(),
        group_type: "number".into(),
        tags: Vec::new(),
    };
    let mut out = Vec::with_capacity(points.len() / 60 + 1);
    let t = Instant::now();
    let mut state = agg.open(&info).expect("open");
    for chunk in points.chunks(batch) {
        state.push(chunk, &mut out).expect("push");
    }
    state.finish(&mut out).expect("finish");
    (t.elapsed(), out)
}

fn best(
    agg: &dyn Aggregator,
    points: &[DataPoint],
    batch: usize,
    rounds: u64,
) -> (f64, Vec<DataPoint>) {
    let mut fastest = Duration::MAX;
    let mut output = Vec::new();
    for _ in 0..rounds.max(1) {
        let (d, out) = run(agg, points, batch);
        fastest = fastest.min(d);
        output = out;
    }
    (fastest.as_secs_f64() * 1e9 / points.len() as f64, output)
}

fn main() {
    let flags = Flags::parse(USAGE);
    let n = flags.u64("points", 2_000_000) as i64;
    let rounds = flags.u64("rounds", 5);
    let batches: Vec<usize> = flags
        .string("batches", "4096,64,1")
        .split(',')
        .filter_map(|b| b.trim().parse().ok())
        .filter(|b| *b > 0)
        .collect();
    let mut registry = Registry::new();
    if let Err(e) = aggregators::register_builtins(&mut registry) {
        flags.fail(&e.to_string());
    }
    if let Err(e) = load(&plugin_path(&flags), &mut registry) {
        flags.fail(&e);
    }
    let points: Vec<DataPoint> = (0..n)
        .map(|i| DataPoint::double(i * 1000, (i % 97) as f64 + 0.5))
        .collect();
    let minute = json!({"value": 1, "unit": "minutes"});
    let pairs = [
        (
            json!({"name": "sum", "sampling": minute, "align_sampling": true}),
            json!({"name": "plugin_sum", "sampling": minute}),
        ),
        (
            json!({"name": "percentile", "percentile": 0.5, "sampling": minute, "align_sampling": true}),
            json!({"name": "mad", "sampling": minute}),
        ),
    ];
    // The same plugin code linked in directly: no boundary.
    let mut direct = Registry::new();
    let plugin_factories: [Arc<dyn AggregatorFactory>; 2] = [
        Arc::new(mad_aggregator::PluginSumFactory),
        Arc::new(mad_aggregator::MadFactory),
    ];
    for f in plugin_factories {
        if let Err(e) = direct.register_aggregator(f) {
            flags.fail(&e.to_string());
        }
    }
    println!(
        "{n} points, 1 s apart, ranges of 1 minute; best of {rounds} runs; ns per input point"
    );
    println!("| built-in | plugin | batch | built-in | plugin, direct | plugin, via FFI | FFI - direct | same output |");
    println!("|---|---|---|---|---|---|---|---|");
    for (native, plugin) in pairs {
        let a = create(&registry, native.clone());
        let b = create(&registry, plugin.clone());
        let c = create(&direct, plugin.clone());
        for &batch in &batches {
            let (ta, oa) = best(a.as_ref(), &points, batch, rounds);
            let (tc, oc) = best(c.as_ref(), &points, batch, rounds);
            let (tb, ob) = best(b.as_ref(), &points, batch, rounds);
            let same = match (oc == ob, native["name"] == "sum") {
                (false, _) => "NO",
                (true, true) if oa != ob => "NO",
                (true, true) => "yes (all three)",
                (true, false) => "yes (plugin both ways)",
            };
            println!(
                "| {} | {} | {batch} | {ta:.2} | {tc:.2} | {tb:.2} | {:+.2} | {same} |",
                native["name"].as_str().unwrap_or_default(),
                plugin["name"].as_str().unwrap_or_default(),
                tb - tc
            );
        }
    }
}
