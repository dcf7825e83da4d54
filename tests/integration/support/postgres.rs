//! A real PostgreSQL server for tests, started from the machine's binaries (`initdb`,
//! `postgres`, on PATH or under `/usr/lib/postgresql/*/bin`) in a temp directory, on a free
//! loopback port, with TLS required (`hostssl` only, a self-signed certificate from
//! `openssl`) and a password (SCRAM).
//!
//! Postgres refuses to run as root, and CI runs as root: then the directory is given to
//! `nobody` and every server command runs through `setpriv --reuid=nobody`. The server is a
//! direct child started with `--pdeathsig KILL`, so it dies with the test thread that owns
//! it even if the test process is killed; `Drop` stops it and removes the directory.
//! Readiness is read from the server's own log ("ready to accept connections"), without
//! sleeping.
//!
//! When Postgres is not installed, [`PgServer::start`] says so on stderr and returns `None`;
//! with `CI=true` it panics instead, so CI never skips these tests silently.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const USER: &str = "operator";
pub const PASSWORD: &str = "pg-Secr3t-pw";

const NOBODY: u32 = 65534;

pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_root: bool,
    child: Option<Child>,
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Fails under CI, else explains the skip on stderr.
fn unavailable(why: &str) -> Option<PgServer> {
    if ci() {
        panic!("CI=true and PostgreSQL cannot start for the tests: {why}");
    }
    eprintln!("SKIPPING a PostgreSQL test: {why} (install postgresql; CI fails here)");
    None
}

/// The directory holding `initdb` and `postgres`.
fn find_bin() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut candidates = on_path;
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev());
    }
    candidates
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file())
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

impl PgServer {
    /// Initialises and starts a server (see the module doc for when this is `None`).
    pub fn start() -> Option<PgServer> {
        let Some(bin) = find_bin() else {
            return unavailable("initdb/postgres not found on PATH or in /usr/lib/postgresql");
        };
        // Under /tmp rather than $TMPDIR: `nobody` must be able to reach it.
        let dir = tempfile::Builder::new()
            .prefix("operator-pg-")
            .tempdir_in("/tmp")
            .expect("a temp dir");
        let mut server = PgServer {
            dir,
            bin,
            port: free_port(),
            as_root: is_root(),
            child: None,
        };
        if let Err(why) = server.init() {
            return unavailable(&why);
        }
        if let Err(why) = server.launch() {
            return unavailable(&why);
        }
        Some(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A command run as the server's user.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new("setpriv");
        if self.as_root {
            cmd.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"]);
        }
        cmd.args(["--pdeathsig", "KILL", "--"]).arg(program);
        cmd
    }

    fn give_to_server(&self, path: &Path) -> Result<(), String> {
        if self.as_root {
            std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY))
                .map_err(|e| format!("chown {}: {e}", path.display()))?;
        }
        Ok(())
    }

    fn init(&mut self) -> Result<(), String> {
        let root = self.dir.path().to_path_buf();
        self.give_to_server(&root)?;
        let pwfile = root.join("pw");
        std::fs::write(&pwfile, PASSWORD).map_err(|e| e.to_string())?;
        self.give_to_server(&pwfile)?;
        let out = self
            .command(&self.bin.join("initdb"))
            .arg("-D")
            .arg(self.data())
            .args([
                "-U",
                USER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .args(["--no-sync", "-E", "UTF8", "--locale=C"])
            .output()
            .map_err(|e| format!("cannot run initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        std::fs::write(
            self.data().join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
        )
        .map_err(|e| e.to_string())?;
        self.make_certificate()
    }

    /// A self-signed certificate, so the server can insist on TLS.
    fn make_certificate(&self) -> Result<(), String> {
        let key = self.data().join("server.key");
        let crt = self.data().join("server.crt");
        let out = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .arg("ec_paramgen_curve:prime256v1")
            .args(["-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&crt)
            .output()
            .map_err(|e| format!("cannot run openssl for the test certificate: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "openssl failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
        self.give_to_server(&key)?;
        self.give_to_server(&crt)?;
        Ok(())
    }

    /// Starts the server process and waits (reading its log) until it accepts connections.
    fn launch(&mut self) -> Result<(), String> {
        let mut child = self
            .command(&self.bin.join("postgres"))
            .arg("-D")
            .arg(self.data())
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(self.dir.path())
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "ssl=on"])
            .args([
                "-c",
                "ssl_cert_file=server.crt",
                "-c",
                "ssl_key_file=server.key",
            ])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=20"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start postgres: {e}"))?;
        let stderr = child.stderr.take().ok_or("no stderr pipe")?;
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut log = Vec::new();
        let ready = loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    let done = line.contains("ready to accept connections");
                    log.push(line);
                    if done {
                        break true;
                    }
                }
                Err(_) => break false,
            }
        };
        self.child = Some(child);
        if ready {
            Ok(())
        } else {
            self.stop();
            Err(format!("postgres did not start:\n{}", log.join("\n")))
        }
    }

    /// Fast shutdown (SIGINT); waits for the process to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }

    /// Starts the stopped server again on the same port and data.
    pub fn restart(&mut self) {
        if let Err(why) = self.launch() {
            panic!("restarting postgres: {why}");
        }
    }

    /// `postgres://operator:…@127.0.0.1:PORT/db?sslmode=require`.
    pub fn url(&self, db: &str) -> String {
        self.url_with(db, PASSWORD, "require")
    }

    pub fn url_with(&self, db: &str, password: &str, sslmode: &str) -> String {
        format!(
            "postgres://{USER}:{password}@127.0.0.1:{}/{db}?sslmode={sslmode}",
            self.port
        )
    }

    /// Runs a future on a fresh current-thread runtime (for fixture setup).
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(f)
    }

    pub async fn connect(&self, db: &str) -> sqlx::PgConnection {
        use sqlx::Connection;
        sqlx::PgConnection::connect(&self.url(db))
            .await
            .expect("connecting to the test postgres")
    }

    /// Runs SQL (several statements allowed) in `db`.
    pub fn exec(&self, db: &str, sql: &str) {
        self.exec_with_password(db, PASSWORD, sql);
    }

    /// [`PgServer::exec`] logging in with `password` (after a test changed it).
    pub fn exec_with_password(&self, db: &str, password: &str, sql: &str) {
        self.block_on(async {
            use sqlx::Connection;
            let url = self.url_with(db, password, "require");
            let mut conn = sqlx::PgConnection::connect(&url)
                .await
                .expect("connecting to the test postgres");
            // Test fixtures only: the statements come from the tests themselves.
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        });
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-QUIT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}
