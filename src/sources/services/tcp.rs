//! The `tcp` probe: resolves `host:port` and connects.
//!
//! The lookup (the system resolver, which has no timeout of its own) runs on a thread bounded
//! by the deadline. Then the resolved addresses are tried in order, each attempt getting an
//! equal share of the time left, so that one address that never answers cannot keep the next
//! from being tried; the first connection that opens is closed at once and the check is up.

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::{Late, backticked, clip, human, on_thread};
use crate::config::services::split_host_port;

/// Connects to `addr` by `deadline`; `Err` is why not.
pub(super) fn connect(addr: &str, deadline: Instant, timeout: Duration) -> Result<(), String> {
    let Some((host, port)) = split_host_port(addr) else {
        return Err(format!(
            "bad address {} (expected host:port)",
            backticked(addr)
        ));
    };
    let owned = host.to_owned();
    let lookup = move || {
        (owned.as_str(), port)
            .to_socket_addrs()
            .map(|found| found.take(MAX_ADDRESSES).collect::<Vec<SocketAddr>>())
    };
    let addresses = match on_thread(deadline, "services-dns", lookup) {
        Ok(Ok(addresses)) => addresses,
        Ok(Err(_)) => return Err(format!("cannot resolve {}", backticked(host))),
        Err(Late::TimedOut) => {
            return Err(format!(
                "timed out resolving {} after {}",
                backticked(host),
                human(timeout)
            ));
        }
        Err(Late::Failed(why)) => return Err(why),
    };
    if addresses.is_empty() {
        return Err(format!("{} resolved to no address", backticked(host)));
    }

    let mut last_error = None;
    let mut attempts = 0;
    for (index, address) in addresses.iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let share = left / u32::try_from(addresses.len() - index).unwrap_or(u32::MAX);
        attempts += 1;
        match TcpStream::connect_timeout(address, share.max(MIN_ATTEMPT)) {
            Ok(_stream) => return Ok(()),
            Err(e) => last_error = Some(e),
        }
    }

    let place = clip(addr);
    let tried = if attempts > 1 {
        format!(" ({attempts} addresses tried)")
    } else {
        String::new()
    };
    Err(match last_error {
        Some(e) if e.kind() == ErrorKind::ConnectionRefused => {
            format!("connection refused on {place}{tried}")
        }
        Some(e) if !matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            format!("cannot connect to {place}: {e}{tried}")
        }
        _ => format!(
            "timed out connecting to {place} after {}{tried}",
            human(timeout)
        ),
    })
}

/// At most this many resolved addresses are tried.
const MAX_ADDRESSES: usize = 8;
/// No connection attempt gets less time than this.
const MIN_ATTEMPT: Duration = Duration::from_millis(10);
