//! The tidy test: the rules ARCHITECTURE.md states, checked against the tree, so the map
//! stays true (in the spirit of rust-analyzer's `tidy.rs` and just's README test).
//!
//! - every `.rs` file opens with a `//!` saying what it owns;
//! - `pipeline/` and `monitors/` read no clock and do no IO;
//! - only `store/` and `fixtures/` write SQL; teloxide is used only in `bot/` and
//!   `channels/telegram/`;
//! - no import cycle between modules (file by file);
//! - a file whose code runs past [`MAX_LINES`] says at its top why it is long;
//! - every path in ARCHITECTURE.md's code map exists, and every folder of `src/` is in it;
//! - the README's command tables match clap and the bot's command registry;
//! - the docs and the code speak for themselves: no pointer to a spec outside this repo.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use clap::CommandFactory;

/// Code lines (before the tests) past which a file must say why it is long.
const MAX_LINES: usize = 400;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted, as paths relative to the repo root.
fn rust_files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(root()).unwrap_or(&path).to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_default()
}

/// The part of a file before its unit tests.
fn code_of(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// `text` without comments (line comments and doc comments), so rules look at code.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// String literals of a source file (plain and raw, roughly: enough for SQL statements).
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' && (i == 0 || bytes[i - 1] != b'\'') {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                if bytes[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            out.push(text.get(i + 1..j.min(text.len())).unwrap_or("").to_owned());
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn violations_report(rule: &str, found: &[String]) {
    assert!(found.is_empty(), "tidy: {rule}:\n  {}", found.join("\n  "));
}

#[test]
fn every_rust_file_opens_with_a_module_comment() {
    let mut found = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        for path in rust_files(dir) {
            if !read(&path).starts_with("//!") {
                found.push(path.display().to_string());
            }
        }
    }
    violations_report(
        "every .rs file opens with `//!` saying what it owns",
        &found,
    );
}

#[test]
fn pipeline_and_monitors_read_no_clock_and_do_no_io() {
    const FORBIDDEN: [&str; 8] = [
        "Utc::now",
        "Local::now",
        "SystemTime",
        "Instant::now",
        "std::fs",
        "rusqlite",
        "tokio",
        "std::net",
    ];
    let mut found = Vec::new();
    for dir in ["src/pipeline", "src/monitors"] {
        for path in rust_files(dir) {
            let code = without_comments(code_of(&read(&path)));
            for word in FORBIDDEN {
                if code.contains(word) {
                    found.push(format!("{}: {word}", path.display()));
                }
            }
        }
    }
    violations_report("pipeline/ and monitors/ take `now` and do no IO", &found);
}

#[test]
fn only_the_store_and_the_fixtures_write_sql() {
    const WRITES: [&str; 8] = [
        "INSERT ",
        "INSERT\n",
        "UPDATE ",
        "DELETE FROM",
        "CREATE TABLE",
        "CREATE INDEX",
        "DROP ",
        "ALTER TABLE",
    ];
    let mut found = Vec::new();
    for path in rust_files("src") {
        let p = path.to_string_lossy();
        if p.starts_with("src/store/") || p.starts_with("src/fixtures/") {
            continue;
        }
        for literal in string_literals(code_of(&read(&path))) {
            if WRITES.iter().any(|w| literal.contains(w)) {
                let first = literal.lines().next().unwrap_or_default().to_owned();
                found.push(format!("{}: {first}", path.display()));
            }
        }
    }
    violations_report(
        "SQL writes live in store/ (ours) and fixtures/ (theirs)",
        &found,
    );
}

#[test]
fn teloxide_is_used_only_by_the_bot_and_telegram_delivery() {
    let mut found = Vec::new();
    for path in rust_files("src") {
        let p = path.to_string_lossy();
        if p.starts_with("src/bot/") || p.starts_with("src/channels/telegram/") {
            continue;
        }
        let code = without_comments(&read(&path));
        if code.contains("teloxide::") || code.contains("use teloxide") {
            found.push(p.into_owned());
        }
    }
    violations_report(
        "teloxide types appear only in bot/ and channels/telegram/",
        &found,
    );
}

/// The module path of a file under `src/` (`src/sources/oura/mod.rs` → `sources::oura`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix("src").ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    if parts.is_empty() || parts == ["lib"] || parts == ["main"] {
        return None;
    }
    Some(parts.join("::"))
}

/// The modules each module's code (tests aside) names through `crate::` or `super::`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files: Vec<(String, PathBuf)> = rust_files("src")
        .into_iter()
        .filter_map(|p| module_of(&p).map(|m| (m, p)))
        .collect();
    let modules: BTreeSet<&str> = files.iter().map(|(m, _)| m.as_str()).collect();
    let resolve = |path: &str| -> Option<String> {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|k| parts[..k].join("::"))
            .find(|candidate| modules.contains(candidate.as_str()))
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &files {
        if module.ends_with("tests") {
            continue;
        }
        let code = without_comments(code_of(&read(path)));
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
        let mut targets = Vec::new();
        for (prefix, base) in [("crate::", String::new()), ("super::", parent.to_owned())] {
            for (i, _) in code.match_indices(prefix) {
                if i > 0 && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &code[i + prefix.len()..];
                let mut segments = Vec::new();
                let mut rest = rest;
                loop {
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    if end == 0 {
                        break;
                    }
                    segments.push(&rest[..end]);
                    match rest[end..].strip_prefix("::") {
                        Some(next) if !next.starts_with('{') => rest = next,
                        Some(next) => {
                            // A group: `a::{b, c::d}` names each of b, c::d.
                            let close = next.find('}').unwrap_or(next.len());
                            for item in next[1..close].split(',') {
                                let item = item.trim().split([' ', ':']).next().unwrap_or("");
                                if !item.is_empty() && item != "self" {
                                    let mut full = segments.clone();
                                    full.push(item);
                                    targets.push((base.clone(), full.join("::")));
                                }
                            }
                            break;
                        }
                        None => break,
                    }
                }
                if !segments.is_empty() {
                    targets.push((base.clone(), segments.join("::")));
                }
            }
        }
        for (base, target) in targets {
            let full = if base.is_empty() {
                target
            } else {
                format!("{base}::{target}")
            };
            if let Some(found) = resolve(&full)
                && found != *module
                && !module.starts_with(&format!("{found}::"))
                && !found.starts_with(&format!("{module}::"))
            {
                graph.entry(module.clone()).or_default().insert(found);
            }
        }
    }
    graph
}

/// The cycles of `graph`, each as "a → b → a".
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut found = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for start in graph.keys() {
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start.as_str(), vec![start.as_str()])];
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(node).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.push(next);
                    found.push(cycle.join(" → "));
                } else if !path.contains(&next.as_str()) && !done.contains(next.as_str()) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push((next, longer));
                }
            }
        }
        done.insert(start);
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn no_import_cycle_between_modules() {
    let graph = module_graph();
    assert!(
        graph.len() > 40,
        "the graph reader found too few modules: {}",
        graph.len()
    );
    violations_report("modules import each other in a cycle", &cycles(&graph));
}

/// The layers of ARCHITECTURE.md's flow (each top-level module of `src/`, folders whole)
/// form no cycle either. `app` is left out: it is the shared state of the daemon's
/// long-running tasks (the Telegram sender among them), not a layer.
#[test]
fn no_import_cycle_between_layers() {
    let top = |m: &str| m.split("::").next().unwrap_or(m).to_owned();
    let mut layers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in module_graph() {
        for to in targets {
            let (a, b) = (top(&from), top(&to));
            if a != b && a != "app" && b != "app" {
                layers.entry(a).or_default().insert(b);
            }
        }
    }
    assert!(layers.len() > 15, "found {} layers", layers.len());
    violations_report("layers import each other in a cycle", &cycles(&layers));
}

#[test]
fn a_long_file_says_why_at_its_top() {
    let mut found = Vec::new();
    for path in rust_files("src") {
        let text = read(&path);
        let lines = code_of(&text).lines().count();
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        if lines > MAX_LINES && !header.contains("Why this file is long:") {
            found.push(format!("{}: {lines} lines", path.display()));
        }
    }
    violations_report(
        "a file past 400 lines of code says `Why this file is long:` in its `//!`",
        &found,
    );
}

/// ARCHITECTURE.md's code map: the rows of the table under `## Code map`.
fn code_map() -> Vec<(Vec<String>, String)> {
    let text = read(Path::new("ARCHITECTURE.md"));
    let start = text
        .find("## Code map")
        .expect("ARCHITECTURE.md has a code map");
    let section = &text[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
    section[..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|row| {
            let mut cells = row.split('|').skip(1);
            let first = cells.next().unwrap_or_default();
            let rest = cells.collect::<Vec<_>>().join("|");
            let paths = first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            (paths, rest)
        })
        .collect()
}

#[test]
fn the_code_map_names_real_paths_and_every_source_folder() {
    let map = code_map();
    assert!(map.len() > 15, "the code map has {} rows", map.len());
    let mut found = Vec::new();
    for (paths, _) in &map {
        for p in paths {
            if !root().join(p).exists() {
                found.push(format!("the code map names {p}, which does not exist"));
            }
        }
    }
    // Every folder under src/ is in the map: a top folder as a row of its own, a nested one
    // named (as `name/`) in its parent's row.
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            stack.push(path.clone());
            let rel = path.strip_prefix(root()).unwrap_or(&path);
            let rel_text = format!("{}/", rel.display());
            let parent = rel.parent().map(|p| format!("{}/", p.display()));
            let name = format!(
                "`{}/`",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            let listed = map.iter().any(|(paths, rest)| {
                paths.contains(&rel_text)
                    || (paths.iter().any(|p| Some(p) == parent.as_ref()) && rest.contains(&name))
            });
            if !listed {
                found.push(format!("{rel_text} is not in the code map"));
            }
        }
    }
    violations_report("ARCHITECTURE.md's code map is true", &found);
}

/// The first backticked word of each row of the table that follows `heading` in the README.
fn readme_table(heading: &str) -> Vec<String> {
    let text = read(Path::new("README.md"));
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("README has {heading:?}"));
    let after = &text[start..];
    let table_start = if heading.starts_with('|') {
        0
    } else {
        after.find("\n|").expect("a table follows") + 1
    };
    after[table_start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .flat_map(|row| {
            let cell = row.split('|').nth(1).unwrap_or_default();
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_readme_lists_every_cli_command_and_no_other() {
    let documented: BTreeSet<String> = readme_table("## Commands")
        .iter()
        .filter_map(|cell| cell.strip_prefix("operator "))
        .map(|rest| rest.split([' ', '[']).next().unwrap_or_default().to_owned())
        .collect();
    let clap: BTreeSet<String> = operator::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    assert_eq!(documented, clap, "README ## Commands against clap");
}

#[test]
fn the_readme_lists_every_bot_command_and_no_other() {
    let documented: BTreeSet<String> = readme_table("| command | answers |")
        .iter()
        .filter_map(|cell| cell.strip_prefix('/'))
        .map(|rest| rest.split([' ', '[']).next().unwrap_or_default().to_owned())
        .collect();
    let registry: BTreeSet<String> = operator::bot::commands::COMMANDS
        .iter()
        .map(|c| c.name.to_owned())
        .collect();
    assert_eq!(
        documented, registry,
        "README bot commands against the registry"
    );
}

#[test]
fn no_pointer_to_a_spec_outside_the_repo() {
    const OUTSIDE: [&str; 5] = [
        "DESIGN.md",
        "INTERFACE.md",
        "DATA_SOURCES",
        "ECOSYSTEM.md",
        "shared/spec",
    ];
    let mut files: Vec<PathBuf> = ["src", "tests", "benches", "examples"]
        .iter()
        .flat_map(|d| rust_files(d))
        .collect();
    for doc in [
        "README.md",
        "ARCHITECTURE.md",
        "BENCHMARKS.md",
        "RELIABILITY.md",
        "Cargo.toml",
        "config/operator.yaml",
    ] {
        files.push(PathBuf::from(doc));
    }
    let mut found = Vec::new();
    for path in files {
        if path.ends_with("tidy.rs") {
            continue;
        }
        let text = read(&path);
        for name in OUTSIDE {
            if text.contains(name) {
                found.push(format!("{}: {name}", path.display()));
            }
        }
    }
    violations_report(
        "docs and code say what a rule requires in the repo's own words",
        &found,
    );
}
