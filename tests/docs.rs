//! The commands the README and docs/*.md show are run, so the pages cannot
//! drift from the binary.
//!
//! - Every ```console block: each `$ hashwatt ...` line is run with the
//!   built binary and its output (standard output and error, in the order
//!   written) compared with the lines under it. Numbers are wildcards (any
//!   number matches any number, with its thousands separators, decimals and
//!   SI prefix: `24.6 MH/s` matches `975 kH/s`), runs of spaces are one
//!   space, a line `...` matches any run of lines, and a last line `? N`
//!   is the exit status (0 without one).
//! - A block preceded by `<!-- docs-test: parse-only (REASON) -->` (a run too
//!   long for the suite, or one that needs a GPU or Slurm) or `<!--
//!   docs-test: skip (REASON) -->` (not hashwatt's command line) is not run;
//!   parse-only blocks are still parsed by clap. The reason is required.
//! - Every ```sh block's `hashwatt` commands must parse.
//!
//! Each page runs in a temporary folder of its own, its blocks in order (a
//! file one command writes is there for the next), with `examples/` and
//! `tests/` linked in from the repository (pages name files there), an
//! empty `XDG_CACHE_HOME`, `XDG_RUNTIME_DIR` set (lavapipe complains
//! without one) and no `WGPU_*` variable.
//!
//! `HASHWATT_DOCS_BLESS=1 cargo test --test docs` rewrites each run block's
//! output from this run (`scripts/regen-docs.sh` does that): a block with
//! `...` keeps its `...` lines and takes the lines that match its others
//! (numbers refreshed); a line that no longer matches stays for a person to
//! fix. Review the diff before committing it.

// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::CommandFactory;
use hashwatt::cli::Cli;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The pages whose commands are checked.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

#[derive(Debug, PartialEq)]
enum Marker {
    Run,
    ParseOnly,
    Skip,
}

/// A fenced block: its tag, its lines, where its first line is (0-based
/// line of the page), and the marker before it.
#[derive(Debug)]
struct Block {
    tag: String,
    lines: Vec<String>,
    first: usize,
    marker: Marker,
}

fn blocks(page: &str) -> Vec<Block> {
    let lines: Vec<&str> = page.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(tag) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let before = lines[..i].iter().rev().find(|l| !l.trim().is_empty());
        let marker = match before.and_then(|l| l.trim().strip_prefix("<!-- docs-test: ")) {
            Some(rest) => {
                let (kind, reason) = rest.split_once(' ').unwrap_or((rest, ""));
                assert!(
                    reason.starts_with('(') && reason.len() > 8,
                    "line {}: a docs-test marker needs a reason: {rest}",
                    i
                );
                match kind {
                    "parse-only" => Marker::ParseOnly,
                    "skip" => Marker::Skip,
                    other => panic!("line {i}: unknown docs-test marker {other}"),
                }
            }
            None => Marker::Run,
        };
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].starts_with("```") {
            end += 1;
        }
        out.push(Block {
            tag: tag.trim().to_string(),
            lines: lines[start..end].iter().map(|l| l.to_string()).collect(),
            first: start,
            marker,
        });
        i = end + 1;
    }
    out
}

/// One command of a console block and the output the page shows.
#[derive(Debug)]
struct Step {
    command: String,
    /// Line of the page where the command is.
    at: usize,
    expected: Vec<String>,
    status: i32,
}

fn steps(block: &Block) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (k, line) in block.lines.iter().enumerate() {
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.to_string(),
                at: block.first + k,
                expected: Vec::new(),
                status: 0,
            });
        } else if let Some(step) = steps.last_mut() {
            step.expected.push(line.clone());
        } else {
            panic!(
                "line {}: a console block starts with `$ `",
                block.first + k + 1
            );
        }
    }
    for step in &mut steps {
        if let Some(status) = step
            .expected
            .last()
            .and_then(|l| l.strip_prefix("? "))
            .and_then(|n| n.trim().parse().ok())
        {
            step.status = status;
            step.expected.pop();
        }
        while step.expected.last().is_some_and(|l| l.is_empty()) {
            step.expected.pop();
        }
    }
    steps
}

/// The words of a command line as a POSIX shell splits them (quotes,
/// backslashes), up to an unquoted `#` comment.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => word.extend(chars.next()),
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                word.extend(chars.next());
                in_word = true;
            }
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The `hashwatt` commands of a shell line: each part between `&&`, `||`,
/// `;` and `|` whose first word (after `NAME=value` assignments) is
/// `hashwatt`.
fn hashwatt_commands(line: &str) -> Vec<Vec<String>> {
    // Redirections (`> FILE`, `2>&1`, `< FILE`) and their targets are the
    // shell's, not the command's.
    let mut all = Vec::new();
    let mut redirect_target = false;
    for word in words(line) {
        let redirect = word.trim_start_matches(|c: char| c.is_ascii_digit());
        if redirect_target {
            redirect_target = false;
        } else if redirect.starts_with('>') || redirect.starts_with('<') {
            // `>FILE` or `2>&1` carry their target; `>` alone takes the next word.
            redirect_target = matches!(redirect, ">" | ">>" | "<");
        } else {
            all.push(word);
        }
    }
    all.split(|w| matches!(w.as_str(), "&&" | "||" | ";" | "|"))
        .map(|part| {
            part.iter()
                .skip_while(|w| w.contains('=') && !w.starts_with('-'))
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|part| part.first().is_some_and(|w| w == "hashwatt"))
        .collect()
}

fn parses(words: &[String]) -> Result<(), String> {
    match Cli::command().try_get_matches_from(words) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// A line with every number (and its SI prefix) as `#` and runs of spaces
/// as one.
fn shape(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number = c.is_ascii_digit()
            && !(i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '_'));
        if starts_number {
            // Digits, thousands separators and a decimal part.
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], ',' | '.')
                        && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            // An exponent (1e-9).
            if chars.get(i) == Some(&'e')
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '-' || *c == '+')
            {
                i += 2;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
            }
            // An SI prefix before a unit: 34.1 MH/s, 975 kH/J, 5.05 PH/s.
            let mut j = i;
            if chars.get(j) == Some(&' ') {
                j += 1;
            }
            if chars.get(j).is_some_and(|c| "kMGTPEZ".contains(*c))
                && chars
                    .get(j + 1)
                    .is_some_and(|c| matches!(c, 'H' | 'J' | 'W'))
            {
                i = j + 1;
                out.push_str("# ");
            } else {
                out.push('#');
            }
            continue;
        }
        if c == ' ' {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    out.trim_end().to_string()
}

/// Whether `actual` matches `expected`, where an expected `...` matches
/// any run of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(line, more)| shape(first) == shape(line) && matches(rest, more)),
    }
}

/// The expected lines refreshed from `actual`: without `...`, `actual`
/// itself; with it, each other line replaced by the next actual line of
/// the same shape, if any.
fn blessed(expected: &[String], actual: &[String]) -> Vec<String> {
    if !expected.iter().any(|l| l == "...") {
        return actual.to_vec();
    }
    let mut out = Vec::new();
    let mut from = 0;
    for line in expected {
        if line == "..." {
            out.push(line.clone());
            continue;
        }
        match actual[from..].iter().position(|a| shape(a) == shape(line)) {
            Some(k) => {
                out.push(actual[from + k].clone());
                from += k + 1;
            }
            None => out.push(line.clone()),
        }
    }
    out
}

/// A folder for one page: the repository's examples/ and tests/ linked in.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["examples", "tests"] {
        std::os::unix::fs::symlink(root().join(name), dir.path().join(name)).unwrap();
    }
    std::fs::create_dir(dir.path().join("cache")).unwrap();
    std::fs::create_dir(dir.path().join("run")).unwrap();
    dir
}

/// Runs one command in `dir`; its status and its output, standard output
/// and error in the order written.
fn run(dir: &Path, words: &[String]) -> (i32, Vec<String>) {
    let log = dir.join(".output");
    let file = std::fs::File::create(&log).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(&words[1..])
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("XDG_RUNTIME_DIR", dir.join("run"))
        .env_remove("HASHWATT_CACHE_DIR")
        .env_remove("WGPU_BACKEND")
        .env_remove("WGPU_ADAPTER_NAME")
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    (status.code().unwrap_or(-1), lines)
}

#[test]
fn the_pages_commands_run_as_shown() {
    let bless = std::env::var_os("HASHWATT_DOCS_BLESS").is_some();
    let mut failures = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // Replacements for blessing: (first line, last line excluded, new lines).
        let mut edits: Vec<(usize, usize, Vec<String>)> = Vec::new();
        let dir = workdir();
        for block in blocks(&text) {
            match block.tag.as_str() {
                "console" => {}
                "sh" | "bash" | "shell" => {
                    let mut joined = String::new();
                    for (k, line) in block.lines.iter().enumerate() {
                        if let Some(start) = line.strip_suffix('\\') {
                            joined.push_str(start);
                            continue;
                        }
                        joined.push_str(line);
                        for command in hashwatt_commands(&joined) {
                            if let Err(e) = parses(&command) {
                                failures.push(format!(
                                    "{name}:{}: `{}` does not parse: {e}",
                                    block.first + k + 1,
                                    command.join(" ")
                                ));
                            }
                        }
                        joined.clear();
                    }
                    continue;
                }
                _ => continue,
            }
            for step in steps(&block) {
                let words = words(&step.command);
                let place = format!("{name}:{}", step.at + 1);
                if words.first().map(String::as_str) != Some("hashwatt") {
                    failures.push(format!(
                        "{place}: a console command runs hashwatt: {}",
                        step.command
                    ));
                    continue;
                }
                match block.marker {
                    Marker::Skip => continue,
                    Marker::ParseOnly => {
                        if let Err(e) = parses(&words) {
                            failures
                                .push(format!("{place}: `{}` does not parse: {e}", step.command));
                        }
                        continue;
                    }
                    Marker::Run => {}
                }
                let (status, actual) = run(dir.path(), &words);
                ran += 1;
                let same = status == step.status && matches(&step.expected, &actual);
                if same {
                    continue;
                }
                if bless {
                    let mut new = blessed(&step.expected, &actual);
                    if status != 0 {
                        new.push(format!("? {status}"));
                    }
                    let first = step.at + 1;
                    let end = first + step.expected.len() + usize::from(step.status != 0);
                    edits.push((first, end, new));
                } else {
                    failures.push(format!(
                        "{place}: `{}` exit {status} (the page: {}), printed:\n{}\n--- the page shows:\n{}",
                        step.command,
                        step.status,
                        actual.join("\n"),
                        step.expected.join("\n")
                    ));
                }
            }
        }
        if bless && !edits.is_empty() {
            // Trailing blank lines under a command were left out of
            // `expected`; edits keep them.
            for (first, end, new) in edits.into_iter().rev() {
                lines.splice(first..end, new);
            }
            let mut out = lines.join("\n");
            out.push('\n');
            std::fs::write(&page, out).unwrap();
            eprintln!("blessed {name}");
        }
    }
    assert!(ran > 0, "no command ran");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_matcher_can_fail() {
    let lines = |text: &str| -> Vec<String> { text.lines().map(str::to_string).collect() };
    assert_eq!(
        shape("  hashrate      34.1 MH/s   174,082,338 nonces"),
        " hashrate # H/s # nonces"
    );
    assert_eq!(shape("975 kH/J"), shape("1.03 MH/J"));
    assert_ne!(shape("0x1d00ffff"), shape("0x1d00fffe"));
    assert!(matches(&lines("a 1\n...\nz 2"), &lines("a 5\nb\nc\nz 9")));
    assert!(matches(&lines("a 1\n...\nz 2"), &lines("a 5\nz 9")));
    assert!(!matches(&lines("a 1\nz 2"), &lines("a 5\nb\nz 9")));
    assert!(!matches(&lines("PASS 1"), &lines("FAIL 1")));
    assert!(!matches(&lines("a"), &lines("a\nb")));
    assert_eq!(
        words(r#"hashwatt compare a.json "b c.json"   # a comment"#),
        ["hashwatt", "compare", "a.json", "b c.json"]
    );
    assert_eq!(
        hashwatt_commands("HASHWATT_OUT=/x sbatch a && hashwatt fleet /x --plot f.svg"),
        [vec!["hashwatt", "fleet", "/x", "--plot", "f.svg"]]
    );
    assert_eq!(
        hashwatt_commands("hashwatt headers > /dev/full 2>&1"),
        [vec!["hashwatt", "headers"]]
    );
}
