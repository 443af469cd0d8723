//! Start, restart, kill and stop the real `kairosdb` binary on a temporary data directory.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::http::{self, Response};
use crate::telnet::TelnetClient;

/// How long the server may take to print `kairosdb: ready`.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a graceful shutdown (SIGTERM) may take.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of the server log printed when a test panics.
const LOG_TAIL_LINES: usize = 60;

/// Path of the server binary: `$KAIROSDB_BIN`, else `<workspace>/target/debug/kairosdb`.
///
/// Panics with a hint when the binary does not exist.
pub fn binary_path() -> PathBuf {
    if let Some(p) = std::env::var_os("KAIROSDB_BIN") {
        let p = PathBuf::from(p);
        assert!(p.exists(), "KAIROSDB_BIN={} does not exist", p.display());
        return p;
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => PathBuf::from(t),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target"),
    };
    let p = target.join("debug").join("kairosdb");
    assert!(
        p.exists(),
        "{} not found: build it first: cargo build -p kairosdb-server",
        p.display()
    );
    p
}

/// Runs the binary on loopback listeners and a temporary data directory with `env`, for a
/// start-up that must fail; returns its exit code and its stdout followed by stderr.
pub fn failed_start(env: &[(String, String)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(binary_path())
        .args([
            "--bind",
            "127.0.0.1:0",
            "--telnet",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run kairosdb");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// Extra settings for [`Server::start_with`].
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Extra command-line arguments appended after the standard ones.
    pub args: Vec<String>,
    /// Extra environment variables for the child.
    pub env: Vec<(String, String)>,
}

/// A running `kairosdb` child process with its own temporary data directory.
///
/// Dropping it kills the child (SIGKILL); when the current thread is panicking the tail of the server log is
/// printed first so that failing tests show what the server said.
pub struct Server {
    child: Option<Child>,
    dir: tempfile::TempDir,
    http: SocketAddr,
    telnet: SocketAddr,
    options: ServerOptions,
    generation: u32,
    /// Datastore settings when the suite runs on Cassandra (`KAIROSDB_TEST_DATASTORE=cassandra`).
    datastore_env: Vec<(String, String)>,
}

/// Environment that points a test server at the datastore the suite runs on: the embedded
/// store (default), or with `KAIROSDB_TEST_DATASTORE=cassandra` the Cassandra at
/// `KAIROSDB_TEST_CASSANDRA` with a keyspace of its own.
fn datastore_env() -> Vec<(String, String)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    match std::env::var("KAIROSDB_TEST_DATASTORE").as_deref() {
        Ok("cassandra") => {
            let contact = std::env::var("KAIROSDB_TEST_CASSANDRA")
                .expect("KAIROSDB_TEST_DATASTORE=cassandra needs KAIROSDB_TEST_CASSANDRA=host:port (start one with scripts/cassandra.sh start)");
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let keyspace = format!(
                "kt_{}_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed),
                nanos % 100_000
            );
            vec![
                ("KAIROSDB_DATASTORE".into(), "cassandra".into()),
                ("KAIROSDB_CASSANDRA_CONTACT_POINTS".into(), contact),
                ("KAIROSDB_CASSANDRA_KEYSPACE".into(), keyspace),
            ]
        }
        Ok("embedded") | Err(_) => Vec::new(),
        Ok(other) => panic!("KAIROSDB_TEST_DATASTORE={other:?}: expected embedded or cassandra"),
    }
}

impl Server {
    /// Starts a server on ports chosen by the OS with a fresh temporary data directory.
    pub fn start() -> Server {
        Server::start_with(ServerOptions::default())
    }

    /// Like [`Server::start`] with extra arguments or environment variables.
    pub fn start_with(options: ServerOptions) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("kairosdb-test-")
            .tempdir()
            .expect("create temporary directory for the server");
        std::fs::create_dir_all(dir.path().join("data")).expect("create data directory");
        let mut server = Server {
            child: None,
            dir,
            http: SocketAddr::from(([127, 0, 0, 1], 0)),
            telnet: SocketAddr::from(([127, 0, 0, 1], 0)),
            options,
            generation: 0,
            datastore_env: datastore_env(),
        };
        server.spawn();
        server
    }

    /// Address of the HTTP listener.
    pub fn http_addr(&self) -> SocketAddr {
        self.http
    }

    /// Address of the telnet listener.
    pub fn telnet_addr(&self) -> SocketAddr {
        self.telnet
    }

    /// The data directory handed to the server (kept across restarts).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Path of the file collecting the server's stderr and stdout.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Process id of the running child, if any.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the server gracefully (SIGTERM, waits for exit) and starts it again on the same data directory.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Kills the server with SIGKILL and starts it again on the same data directory.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.spawn();
    }

    /// Sends SIGTERM and waits for the process to exit; panics if it does not exit in time.
    ///
    /// Returns the exit status, or `None` when no server was running. Call [`Server::restart`] to start it again.
    pub fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        let pid = child.id() as libc::pid_t;
        // SAFETY: plain kill(2) on our own child's pid; the child has not been reaped yet.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    self.dump_log_tail();
                    panic!("server did not exit within {STOP_TIMEOUT:?} after SIGTERM");
                }
            }
        }
    }

    /// Whether the child process is still running.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Last `n` lines of the server log.
    pub fn log_tail(&self, n: usize) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(self.log_path()) {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
            let mut buf = Vec::new();
            let _ = f.read_to_end(&mut buf);
            text = String::from_utf8_lossy(&buf).into_owned();
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    fn dump_log_tail(&self) {
        eprintln!(
            "---- last {LOG_TAIL_LINES} lines of {} ----\n{}\n---- end of server log ----",
            self.log_path().display(),
            self.log_tail(LOG_TAIL_LINES)
        );
    }

    fn spawn(&mut self) {
        self.generation += 1;
        let log_path = self.log_path();
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("open server log file");
        let _ = writeln!(log, "==== kairosdb-tests: start #{} ====", self.generation);
        let stderr = log.try_clone().expect("clone server log handle");

        let mut cmd = Command::new(binary_path());
        cmd.arg("--bind")
            .arg("127.0.0.1:0")
            .arg("--telnet")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(&self.options.args)
            .env_remove("KAIROSDB_BIND_ADDRESS")
            .env_remove("KAIROSDB_TELNET_ADDRESS")
            .env_remove("KAIROSDB_DATA_DIR")
            // Self-reporting writes kairosdb.* metrics that would show in name listings; tests
            // that want it turn it back on through `options.env`.
            .env("KAIROSDB_SERVICE_REPORTER", "<disabled>")
            .envs(self.datastore_env.iter().map(|(k, v)| (k, v)))
            .envs(self.options.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr));
        set_parent_death_signal(&mut cmd);
        let mut child = cmd.spawn().expect("spawn kairosdb binary");
        let stdout = child.stdout.take().expect("child stdout is piped");

        // A reader thread forwards stdout lines to us until `ready`, then keeps draining into the log file.
        let (tx, rx) = mpsc::channel::<String>();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let _ = log.write_all(line.as_bytes());
                        let _ = tx.send(line.trim_end().to_string());
                    }
                }
            }
        });

        let deadline = Instant::now() + START_TIMEOUT;
        let mut http = None;
        let mut telnet = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(a) = line.strip_prefix("kairosdb: http listening on ") {
                        http = a.trim().parse::<SocketAddr>().ok();
                    } else if let Some(a) = line.strip_prefix("kairosdb: telnet listening on ") {
                        telnet = a.trim().parse::<SocketAddr>().ok();
                    } else if line == "kairosdb: ready" {
                        break;
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    self.dump_log_tail();
                    let why = match e {
                        mpsc::RecvTimeoutError::Timeout => "timed out",
                        mpsc::RecvTimeoutError::Disconnected => "stdout closed (process exited?)",
                    };
                    panic!("server did not print `kairosdb: ready`: {why}");
                }
            }
        }
        // The query role serves no telnet.
        let query_role = self
            .options
            .args
            .windows(2)
            .any(|w| w[0] == "--role" && w[1] == "query");
        match (http, telnet) {
            (Some(h), Some(t)) => {
                self.http = h;
                self.telnet = t;
            }
            (Some(h), None) if query_role => self.http = h,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                self.dump_log_tail();
                panic!("server said ready without printing both listener addresses (http={http:?}, telnet={telnet:?})");
            }
        }
        self.child = Some(child);
    }

    /// Sends one HTTP request on a fresh connection; panics on I/O errors, naming the request.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        self.try_request(method, path, headers, body)
            .unwrap_or_else(|e| {
                let shown: String = String::from_utf8_lossy(body).chars().take(300).collect();
                panic!("{method} {path} (body {shown:?}): no HTTP answer: {e}")
            })
    }

    /// Sends one HTTP request on a fresh connection, returning I/O errors (e.g. the server closed the connection).
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        http::request(self.http, method, path, headers, body)
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], b"")
    }

    /// `POST path` with a JSON body given as text.
    pub fn post(&self, path: &str, body: &str) -> Response {
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    }

    /// `POST path` with a JSON value as body.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.post(path, &body.to_string())
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> Response {
        self.request("DELETE", path, &[], b"")
    }

    /// Connects a telnet client to the server.
    pub fn telnet(&self) -> TelnetClient {
        TelnetClient::connect(self.telnet)
            .unwrap_or_else(|e| panic!("telnet connect {}: {e}", self.telnet))
    }

    /// Panics unless `GET /api/v1/version` answers 200 (the server is alive).
    pub fn assert_alive(&mut self) {
        assert!(self.is_running(), "server process exited");
        let r = self.get("/api/v1/version");
        assert_eq!(
            r.status, 200,
            "server no longer answers /api/v1/version: {r:?}"
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if thread::panicking() {
            self.dump_log_tail();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Each Cassandra keyspace costs the test Cassandra heap; drop it with the server.
        if let Some((_, ks)) = self
            .datastore_env
            .iter()
            .find(|(k, _)| k == "KAIROSDB_CASSANDRA_KEYSPACE")
        {
            let script =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/cassandra.sh");
            let _ = Command::new(script)
                .args(["cqlsh", "-e", &format!("DROP KEYSPACE IF EXISTS {ks}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Asks the kernel to SIGKILL the child when the spawning thread dies, so an aborted test run leaves no servers.
fn set_parent_death_signal(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}
