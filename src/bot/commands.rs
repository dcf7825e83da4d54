//! The command registry: every bot command declared once, with its help text embedded from
//! `commands/<name>.md`. The `/help` reply, the Telegram menu (`setMyCommands`) and the
//! parser all come from [`COMMANDS`], and each entry names its [`Command`], which the reply
//! dispatch matches exhaustively: a command cannot be listed without a handler, nor handled
//! without being listed (a test holds the two lists together).

/// What a command does: the key the reply dispatch matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Status,
    Readiness,
    Overdue,
    Brief,
    Week,
    Review,
    Snooze,
    Quiet,
    Check,
    Help,
    Start,
}

impl Command {
    pub const ALL: [Command; 11] = [
        Command::Status,
        Command::Readiness,
        Command::Overdue,
        Command::Brief,
        Command::Week,
        Command::Review,
        Command::Snooze,
        Command::Quiet,
        Command::Check,
        Command::Help,
        Command::Start,
    ];
}

/// One bot command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    pub command: Command,
    pub name: &'static str,
    /// The whole `commands/<name>.md`; its first line is the menu summary.
    pub help: &'static str,
}

impl CommandSpec {
    /// The first line of the help file: the one-line menu description.
    pub fn summary(&self) -> &'static str {
        self.help.lines().next().unwrap_or_default().trim()
    }

    /// The plain-word phrasings the help file's `Say:` line lists (`Say: "snooze 2h", …`):
    /// what `/help` shows and what the plain-word parser is tested to understand.
    pub fn phrasings(&self) -> impl Iterator<Item = &'static str> {
        self.help
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("Say:"))
            .into_iter()
            .flat_map(|list| list.split(','))
            .map(|p| p.trim().trim_matches('"'))
            .filter(|p| !p.is_empty())
    }
}

/// Every command, in menu order.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        command: Command::Status,
        name: "status",
        help: include_str!("../../commands/status.md"),
    },
    CommandSpec {
        command: Command::Readiness,
        name: "readiness",
        help: include_str!("../../commands/readiness.md"),
    },
    CommandSpec {
        command: Command::Overdue,
        name: "overdue",
        help: include_str!("../../commands/overdue.md"),
    },
    CommandSpec {
        command: Command::Brief,
        name: "brief",
        help: include_str!("../../commands/brief.md"),
    },
    CommandSpec {
        command: Command::Week,
        name: "week",
        help: include_str!("../../commands/week.md"),
    },
    CommandSpec {
        command: Command::Review,
        name: "review",
        help: include_str!("../../commands/review.md"),
    },
    CommandSpec {
        command: Command::Snooze,
        name: "snooze",
        help: include_str!("../../commands/snooze.md"),
    },
    CommandSpec {
        command: Command::Quiet,
        name: "quiet",
        help: include_str!("../../commands/quiet.md"),
    },
    CommandSpec {
        command: Command::Check,
        name: "check",
        help: include_str!("../../commands/check.md"),
    },
    CommandSpec {
        command: Command::Help,
        name: "help",
        help: include_str!("../../commands/help.md"),
    },
    CommandSpec {
        command: Command::Start,
        name: "start",
        help: include_str!("../../commands/start.md"),
    },
];

pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// The usage line of a command's help (`Usage: …`), for replies to bad arguments.
pub fn usage(name: &str) -> &'static str {
    find(name)
        .and_then(|c| {
            c.help
                .lines()
                .find(|l| l.trim_start().starts_with("Usage:"))
        })
        .map(str::trim)
        .unwrap_or("")
}

/// A command found in a message: `/name@bot args`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation<'a> {
    /// Lowercased command name, without the slash or the `@bot` suffix.
    pub name: String,
    /// The registry's command of that name, if there is one.
    pub command: Option<Command>,
    /// Everything after the command, trimmed.
    pub args: &'a str,
}

/// Parses a command message. `bot_username` drops commands addressed to another bot in a
/// group (`/status@other_bot`). `None` when the text is not a command.
pub fn parse<'a>(text: &'a str, bot_username: Option<&str>) -> Option<Invocation<'a>> {
    let text = text.trim_start();
    let rest = text.strip_prefix('/')?;
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (name, target) = match head.split_once('@') {
        Some((name, target)) => (name, Some(target)),
        None => (head, None),
    };
    if let (Some(target), Some(me)) = (target, bot_username)
        && !target.eq_ignore_ascii_case(me)
    {
        return None;
    }
    if name.is_empty() || name.len() > 32 {
        return None;
    }
    let name = name.to_ascii_lowercase();
    Some(Invocation {
        command: find(&name).map(|c| c.command),
        name,
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_menu_line_and_usage_within_telegram_limits() {
        for c in COMMANDS {
            let s = c.summary();
            assert!((3..=256).contains(&s.chars().count()), "{}: {s:?}", c.name);
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{}",
                c.name
            );
            assert!(
                usage(c.name).starts_with("Usage: /"),
                "{} has no usage line",
                c.name
            );
        }
    }

    #[test]
    fn every_command_is_listed_once_and_every_entry_names_its_command() {
        for command in Command::ALL {
            let entries = COMMANDS.iter().filter(|c| c.command == command).count();
            assert_eq!(entries, 1, "{command:?}");
        }
        assert_eq!(COMMANDS.len(), Command::ALL.len());
        for c in COMMANDS {
            assert_eq!(format!("{:?}", c.command).to_ascii_lowercase(), c.name);
        }
    }

    #[test]
    fn parses_commands() {
        assert_eq!(
            parse("/snooze health 2h", None),
            Some(Invocation {
                name: "snooze".into(),
                command: Some(Command::Snooze),
                args: "health 2h"
            })
        );
        assert_eq!(
            parse("/Status@OperatorBot", Some("operatorbot")),
            Some(Invocation {
                name: "status".into(),
                command: Some(Command::Status),
                args: ""
            })
        );
        assert_eq!(parse("/status@other_bot", Some("operatorbot")), None);
        assert_eq!(parse("hello /status", None), None);
        assert_eq!(parse("/", None), None);
    }
}
