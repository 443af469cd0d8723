//! The `kairosdb config` subcommand: migration report and conversions of a Java config file,
//! and the effective settings of the usual sources.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use super::report::{self, Output};
use super::{Options, Sources};

/// Usage of `kairosdb config`.
pub const USAGE: &str = "usage: kairosdb config [--config] FILE [--print report|env|conf]
       kairosdb config --effective [--config FILE]

  FILE                a Java kairosdb.conf (HOCON), kairosdb.properties or .json
  --print report      (default) one line per key: applied, renamed, not applicable, unsupported
                      or invalid, then a summary; exit 1 when a key is unsupported or invalid
  --print env         the KAIROSDB_* variables equivalent to the keys kairosdb-rs honours
  --print conf        a kairosdb-rs config file with those keys under their kairosdb-rs names
  --effective         the settings the server would run with (defaults < FILE < KAIROSDB_* env)";

/// Runs `kairosdb config ARGS`; the exit code is 0 (fine), 1 (unsupported/invalid keys) or 2 (usage).
pub fn run(args: &[String]) -> ExitCode {
    let mut file: Option<PathBuf> = None;
    let mut output = Output::Report;
    let mut effective = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--config" | "-p" | "-c" => match it.next() {
                Some(f) => file = Some(PathBuf::from(f)),
                None => return usage(&format!("{a} needs a value")),
            },
            "--print" => match it.next().and_then(|v| Output::parse(v)) {
                Some(o) => output = o,
                None => return usage("--print needs report, env or conf"),
            },
            "--effective" => effective = true,
            other if !other.starts_with('-') && file.is_none() => file = Some(PathBuf::from(other)),
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    if effective {
        let sources = Sources {
            file,
            env: std::env::vars().collect::<BTreeMap<_, _>>(),
            flags: Vec::new(),
        };
        return match Options::load(&sources) {
            Ok(mut o) => {
                o.ignored_keys.clear();
                let hide = |p: &mut Option<String>| {
                    if p.is_some() {
                        *p = Some("<hidden>".into());
                    }
                };
                hide(&mut o.datastore.cassandra.password);
                hide(&mut o.security.password);
                hide(&mut o.security.tls.keystore_password);
                println!("{o:#?}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("kairosdb: {e}");
                ExitCode::from(1)
            }
        };
    }
    let Some(file) = file else {
        return usage("a configuration file is needed");
    };
    let entries = match report::read(&file) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("kairosdb: {e}");
            return ExitCode::from(1);
        }
    };
    print!("{}", report::render(&entries, output));
    if output != Output::Report {
        return ExitCode::SUCCESS;
    }
    // Keys can be fine one by one and wrong together (an HTTPS port without a keystore).
    let whole = Options::load(&Sources {
        file: Some(file),
        ..Sources::default()
    });
    if let Err(e) = &whole {
        if report::acceptable(&entries) {
            println!("the file as a whole: {e}");
        }
    }
    if !report::acceptable(&entries) || whole.is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("kairosdb config: {msg}\n{USAGE}");
    ExitCode::from(2)
}
