//! The `operator` processes under measurement: spawning, signalling, resident memory and CPU
//! time (from `/proc` on Linux, from `ps` elsewhere), and a command's peak RSS through
//! `/usr/bin/time`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// `operator --config <config> <args…>` with a clean environment (PATH only).
pub fn operator(bin: &Path, config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("--config").arg(config).args(args).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

/// Starts `operator run`; its stderr goes to `log`.
pub fn spawn_daemon(bin: &Path, config: &Path, log: &Path) -> anyhow::Result<Child> {
    let log = std::fs::File::create(log).context("creating the daemon's log")?;
    operator(bin, config, &["run"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .context("starting operator run")
}

/// SIGTERM, then waits (at most 30 s) for a clean exit.
pub fn stop(child: &mut Child) -> anyhow::Result<()> {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .context("running kill")?;
    if !status.success() {
        bail!("kill -TERM {} failed", child.id());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(exit) = child.try_wait()? {
            if exit.success() {
                return Ok(());
            }
            bail!("operator run exited with {exit}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    bail!("operator run did not stop within 30 s of SIGTERM")
}

/// Resident set now and its peak (high-water mark), in KiB.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss_kib: u64,
    pub peak_kib: Option<u64>,
    /// Of the RSS: private memory (heap, stacks) and file pages (mostly the binary's code).
    pub anon_kib: Option<u64>,
    pub file_kib: Option<u64>,
}

pub fn memory(pid: u32) -> anyhow::Result<Memory> {
    if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        return Ok(Memory {
            rss_kib: field("VmRSS:").context("no VmRSS in /proc status")?,
            peak_kib: field("VmHWM:"),
            anon_kib: field("RssAnon:"),
            file_kib: field("RssFile:"),
        });
    }
    let out = Command::new("ps")
        .args(["-o", "rss=", "-p", &pid.to_string()])
        .output()?;
    let rss = String::from_utf8_lossy(&out.stdout).trim().parse::<u64>()?;
    Ok(Memory {
        rss_kib: rss,
        peak_kib: None,
        anon_kib: None,
        file_kib: None,
    })
}

/// CPU time (user + system) used so far by `pid`.
pub fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // Fields after the command name (which may hold spaces) start at field 3.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
        let (utime, stime) = (ticks(11), ticks(12));
        let (Some(u), Some(s)) = (utime, stime) else {
            bail!("unexpected /proc/{pid}/stat");
        };
        return Ok(Duration::from_secs_f64(
            (u + s) as f64 / clock_ticks() as f64,
        ));
    }
    let out = Command::new("ps")
        .args(["-o", "time=", "-p", &pid.to_string()])
        .output()?;
    parse_ps_time(String::from_utf8_lossy(&out.stdout).trim())
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100)
}

/// `[[dd-]hh:]mm:ss[.cc]` as `ps -o time=` prints it.
fn parse_ps_time(text: &str) -> anyhow::Result<Duration> {
    let (days, clock) = match text.split_once('-') {
        Some((d, rest)) => (d.parse::<f64>()?, rest),
        None => (0.0, text),
    };
    let mut secs = 0.0;
    for part in clock.split(':') {
        secs = secs * 60.0 + part.parse::<f64>()?;
    }
    Ok(Duration::from_secs_f64(days * 86_400.0 + secs))
}

/// Peak RSS (KiB) of one run of `cmd`, through `/usr/bin/time`; `None` where it is missing.
pub fn peak_rss_of(cmd: &Command) -> anyhow::Result<Option<u64>> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return Ok(None);
    }
    let linux = cfg!(target_os = "linux");
    let mut wrapped = Command::new(time);
    if linux {
        wrapped.args(["-f", "PEAK_RSS_KIB %M"]);
    } else {
        wrapped.arg("-l");
    }
    wrapped.arg(cmd.get_program()).args(cmd.get_args());
    wrapped.env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    let out = wrapped.stdout(Stdio::null()).output()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let kib = err.lines().find_map(|l| {
        let l = l.trim();
        if linux {
            l.strip_prefix("PEAK_RSS_KIB ")?.trim().parse::<u64>().ok()
        } else {
            let bytes = l.strip_suffix("maximum resident set size")?.trim();
            bytes.parse::<u64>().ok().map(|b| b / 1024)
        }
    });
    Ok(kib)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ps_times_parse() {
        let s = |t| super::parse_ps_time(t).map(|d| d.as_secs_f64()).ok();
        assert_eq!(s("0:00.05"), Some(0.05));
        assert_eq!(s("01:02:03"), Some(3723.0));
        assert_eq!(s("1-00:00:01"), Some(86_401.0));
    }
}
