//! Reading what the user types during `operator setup`: lines from stdin on a thread of their
//! own (so a wait can be abandoned on Ctrl-C, and a pending read never keeps the process
//! from exiting), and the bot token without echo on a terminal (the echo comes back however
//! the read ends: answered, interrupted or failed).

use std::io::{BufRead, IsTerminal};

use tokio::sync::mpsc;

/// Whether stdin is a terminal (then questions can be asked and a token typed hidden).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// The lines of stdin, read on a background thread. `None` at end of input.
pub struct Lines {
    rx: mpsc::Receiver<String>,
}

impl Lines {
    pub fn spawn() -> Lines {
        let (tx, rx) = mpsc::channel(8);
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            let mut lock = stdin.lock();
            loop {
                let mut line = String::new();
                match lock.read_line(&mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        let line = line.trim_end_matches(['\n', '\r']).to_owned();
                        if tx.blocking_send(line).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Lines { rx }
    }

    /// The next line, or `None` at the end of input.
    pub async fn next(&mut self) -> Option<String> {
        self.rx.recv().await
    }

    /// The next line typed with the terminal's echo off (when stdin is a terminal).
    pub async fn next_hidden(&mut self) -> Option<String> {
        let _echo = EchoOff::new();
        let line = self.next().await;
        eprintln!();
        line
    }
}

/// Turns the terminal's echo off while it lives.
struct EchoOff {
    #[cfg(unix)]
    saved: Option<rustix::termios::Termios>,
}

impl EchoOff {
    fn new() -> EchoOff {
        #[cfg(unix)]
        {
            use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
            let stdin = std::io::stdin();
            let saved = tcgetattr(&stdin).ok();
            if let Some(saved) = &saved {
                let mut quiet = saved.clone();
                quiet.local_modes.remove(LocalModes::ECHO);
                let _ = tcsetattr(&stdin, OptionalActions::Now, &quiet);
            }
            EchoOff { saved }
        }
        #[cfg(not(unix))]
        {
            EchoOff {}
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.saved {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin(),
                rustix::termios::OptionalActions::Now,
                saved,
            );
        }
    }
}

/// A yes/no answer: empty means `default`; `None` when the answer is neither.
pub fn yes_no(answer: &str, default: bool) -> Option<bool> {
    match answer.trim().to_ascii_lowercase().as_str() {
        "" => Some(default),
        "y" | "yes" => Some(true),
        "n" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_in_the_usual_spellings() {
        assert_eq!(yes_no("", true), Some(true));
        assert_eq!(yes_no(" Y ", false), Some(true));
        assert_eq!(yes_no("no", true), Some(false));
        assert_eq!(yes_no("maybe", true), None);
    }
}
