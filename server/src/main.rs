//! The `kairosdb` binary: with no arguments, runs the server on the embedded store.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use kairosdb::app::App;
use kairosdb::config::{ConfigError, Options, Sources};

/// mimalloc rather than glibc malloc: the per-point allocations of parsing and buffering were
/// the largest single cost in profiles of the ingest paths.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: kairosdb [run] [--config FILE] [--bind HOST:PORT] [--telnet HOST:PORT] [--data-dir DIR] [--role all|ingest|query] [--check-config]
       kairosdb config [--config] FILE [--print report|env|conf]   (see kairosdb config --help)
       kairosdb probe [URL]   exit 0 when URL (default http://127.0.0.1:8080/api/v1/health/check) answers 2xx

  --config, -p FILE   kairosdb.conf (HOCON) or kairosdb.properties
  --bind HOST:PORT    HTTP listener (default 0.0.0.0:8080; env KAIROSDB_BIND_ADDRESS)
  --telnet HOST:PORT  telnet listener (default 0.0.0.0:4242; env KAIROSDB_TELNET_ADDRESS)
  --data-dir DIR      embedded store directory (default ./kairosdb-data; env KAIROSDB_DATA_DIR)
  --role ROLE         all (default), ingest (HTTP ingestion + telnet) or query (queries, metadata, deletes)
  --check-config      validate the configuration and exit 0 or 1";

struct Args {
    sources: Sources,
    check_only: bool,
}

fn parse_args(args: Vec<String>) -> Result<Option<Args>, ConfigError> {
    let mut sources = Sources {
        env: std::env::vars().collect::<BTreeMap<_, _>>(),
        ..Sources::default()
    };
    let mut check_only = false;
    let mut it = args.into_iter().peekable();
    if it.peek().map(String::as_str) == Some("run") {
        it.next();
    }
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| ConfigError::Flag(format!("{name} needs a value")))
        };
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--config" | "-p" | "-c" => sources.file = Some(PathBuf::from(value(&a)?)),
            "--bind" => {
                let v = value(&a)?;
                sources.flags.extend(kairosdb::config::split_flag_address(
                    "--bind",
                    &v,
                    "kairosdb.jetty.address",
                    "kairosdb.jetty.port",
                )?);
            }
            "--telnet" => {
                let v = value(&a)?;
                sources.flags.extend(kairosdb::config::split_flag_address(
                    "--telnet",
                    &v,
                    "kairosdb.telnetserver.address",
                    "kairosdb.telnetserver.port",
                )?);
            }
            "--data-dir" => sources
                .flags
                .push(("kairosdb.datastore.embedded.data_dir".into(), value(&a)?)),
            "--role" => sources.flags.push(("kairosdb.role".into(), value(&a)?)),
            "--check-config" => check_only = true,
            other => {
                return Err(ConfigError::Flag(format!(
                    "unknown argument {other:?}\n{USAGE}"
                )))
            }
        }
    }
    Ok(Some(Args {
        sources,
        check_only,
    }))
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KAIROSDB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file or journal gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if std::env::var("KAIROSDB_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Set when [`tune_allocator`] turned transparent huge pages off for this process.
static NO_HUGE_PAGES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets up mimalloc before its own constructor (priority 101) reads its options; it must not
/// allocate from mimalloc.
///
/// - Transparent huge pages are turned off unless `MIMALLOC_ALLOW_THP` is set. mimalloc
///   advises its arenas for huge pages, so each 2 MB region a thread touched became resident
///   in full: RSS idle 19 against 12 MB, after 20 s at 5,000 points/s 56 against 29 MB,
///   full-speed ingest rates unchanged within noise (bench/RESULTS.md).
/// - Freed memory goes back to the system after 10 ms unless `MIMALLOC_PURGE_DELAY` says
///   otherwise. mimalloc 3 waits 1,000 ms (its v2 waited 10), which at full-speed ingest
///   kept a second of freed request buffers resident: peak RSS 152-181 against 122-138 MB
///   for 2-5 % of the rate (bench/RESULTS.md).
#[cfg(target_os = "linux")]
extern "C" fn tune_allocator() {
    // SAFETY: constructors run before any thread exists, so reading and changing the
    // environment races with nothing; the names and value are NUL-terminated literals, and
    // setenv allocates from libc's malloc, not mimalloc's arenas. PR_SET_THP_DISABLE passes
    // no pointers.
    unsafe {
        if libc::getenv(c"MIMALLOC_ALLOW_THP".as_ptr()).is_null()
            && libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
        {
            NO_HUGE_PAGES.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        libc::setenv(c"MIMALLOC_PURGE_DELAY".as_ptr(), c"10".as_ptr(), 0);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00100"]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("config") {
        return kairosdb::config::command::run(&argv[1..]);
    }
    if argv.first().map(String::as_str) == Some("probe") {
        return kairosdb::probe::run(&argv[1..]);
    }
    let args = match parse_args(argv) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("kairosdb: {e}");
            return ExitCode::from(2);
        }
    };
    let options = match Options::load(&args.sources) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kairosdb: {e}");
            return ExitCode::from(1);
        }
    };
    if args.check_only {
        println!("kairosdb: configuration is valid");
        return ExitCode::SUCCESS;
    }
    init_tracing();
    let no_huge_pages = NO_HUGE_PAGES.load(std::sync::atomic::Ordering::Relaxed);
    tracing::debug!(no_huge_pages, "transparent huge pages");
    for key in &options.ignored_keys {
        tracing::info!(key = %key, "configuration key not used by kairosdb-rs");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kairosdb: cannot start runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let app = match App::start(options).await {
            Ok(app) => app,
            Err(e) => {
                eprintln!("kairosdb: {e}");
                return ExitCode::from(1);
            }
        };
        println!("kairosdb: http listening on {}", app.http.local_addr);
        if let Some(h) = &app.https {
            println!("kairosdb: https listening on {}", h.local_addr);
        }
        if let Some(t) = &app.telnet {
            println!("kairosdb: telnet listening on {}", t.local_addr);
        }
        println!("kairosdb: ready");
        tracing::info!(http = %app.http.local_addr, telnet = ?app.telnet.as_ref().map(|t| t.local_addr), "kairosdb started");
        wait_for_signal().await;
        tracing::info!("shutting down");
        app.shutdown().await;
        tracing::info!("stopped");
        ExitCode::SUCCESS
    })
}
