//! One command-line convention, held by every command: `--json` alone
//! prints the document to standard output and nothing else there, `--json
//! FILE` writes the file; every `--help` ends with Examples that parse and
//! an Environment section written from the one list of variables hashwatt
//! reads, and every variable read in `src/` is on that list; each
//! command's help offers only what the command accepts; `devices` stars
//! what `bench` runs; no "CPU reference" where the CPU device is meant.

// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::CommandFactory;
use hashwatt::cli::{env, help, Cli};

/// The commands that report, each of which takes `--json`.
const REPORTING: &[&str] = &[
    "devices",
    "headers",
    "search",
    "verify",
    "bench",
    "tune",
    "estimate",
    "compare",
    "fleet",
    "kernel-cost",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run in `dir` with an empty cache and no wgpu steering.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("HASHWATT_CACHE_DIR")
        .env_remove("WGPU_BACKEND")
        .env_remove("WGPU_ADAPTER_NAME")
        .output()
        .expect("run hashwatt")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The subcommands a user sees (the hidden worker left out).
fn visible_subcommands() -> Vec<clap::Command> {
    Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .cloned()
        .collect()
}

#[test]
fn every_json_option_takes_zero_or_one_value() {
    let mut with_json = Vec::new();
    for sub in visible_subcommands() {
        let Some(json) = sub.get_arguments().find(|a| a.get_id() == "json") else {
            continue;
        };
        with_json.push(sub.get_name().to_string());
        let range = json.get_num_args().expect("num_args is set");
        assert_eq!(
            (range.min_values(), range.max_values()),
            (0, 1),
            "{}: --json takes {range:?} values",
            sub.get_name()
        );
        assert!(
            !json.is_require_equals_set(),
            "{}: --json FILE, not --json=FILE",
            sub.get_name()
        );
        // Each command that writes a file can replace one with --force.
        assert!(
            sub.get_arguments().any(|a| a.get_id() == "force"),
            "{}: --json FILE without --force",
            sub.get_name()
        );
    }
    with_json.sort();
    let mut expected: Vec<String> = REPORTING.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(with_json, expected);
}

#[test]
fn json_alone_is_stdout_and_json_file_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = root().join("tests/data/bench-v3.json");
    let b = root().join("tests/data/bench-v1.json");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let cases: [(&str, Vec<&str>); 4] = [
        ("headers", vec!["headers"]),
        ("devices", vec!["devices"]),
        ("estimate", vec!["estimate", "--jth", "15"]),
        ("compare", vec!["compare", a, b]),
    ];
    for (name, args) in cases {
        // --json alone, last: the document and nothing else on stdout.
        let mut with = args.clone();
        with.push("--json");
        let out = run_in(dir.path(), &with);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{with:?}: {}",
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        let document: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("{with:?}: stdout is not one JSON document ({e}): {stdout}")
        });
        assert!(document.get("schema").is_some(), "{with:?}: {stdout}");
        // `--json -` is the same.
        let mut dash = args.clone();
        dash.extend(["--json", "-"]);
        let out = run_in(dir.path(), &dash);
        assert_eq!(out.status.code(), Some(0), "{dash:?}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("--json - is JSON");
        // --json FILE: the file, and the human table on stdout.
        let file = format!("{name}.json");
        let mut to_file = args.clone();
        to_file.extend(["--json", &file]);
        let out = run_in(dir.path(), &to_file);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{to_file:?}: {}",
            text(&out.stderr)
        );
        let written = std::fs::read_to_string(dir.path().join(&file)).expect("the file");
        let from_file: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(from_file["schema"], document["schema"], "{to_file:?}");
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains(&format!("wrote {file}")),
            "{to_file:?}: {stdout}"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&stdout).is_err());
        // Again without --force: refused, the file kept.
        let out = run_in(dir.path(), &to_file);
        assert_eq!(out.status.code(), Some(2), "{to_file:?} twice");
        assert!(
            text(&out.stderr).contains("--force"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&file)).unwrap(),
            written
        );
    }
}

#[test]
fn json_before_the_files_says_what_it_took() {
    let dir = tempfile::tempdir().unwrap();
    let a = root().join("tests/data/bench-v3.json");
    let before = std::fs::read(&a).unwrap();
    // The bench file after --json is taken as the output: refused, kept.
    let out = run_in(
        dir.path(),
        &[
            "compare",
            "--json",
            a.to_str().unwrap(),
            a.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("put --json after the files"), "{stderr}");
    assert_eq!(std::fs::read(&a).unwrap(), before);
    // `fleet --json DIR`: the folder became the output, so no folder is left.
    let out = run_in(dir.path(), &["fleet", "--json", "runs"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`--json` took runs as its output file"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!dir.path().join("runs").exists());
}

/// The help of `hashwatt` (None) or one subcommand, as --help prints it.
fn long_help(name: Option<&str>) -> String {
    let mut command = Cli::command();
    match name {
        None => command.render_long_help().to_string(),
        Some(name) => command
            .find_subcommand_mut(name)
            .expect("a subcommand")
            .render_long_help()
            .to_string(),
    }
}

#[test]
fn every_help_has_examples_that_parse_and_its_environment() {
    let mut names: Vec<Option<String>> = vec![None];
    names.extend(
        visible_subcommands()
            .iter()
            .map(|c| Some(c.get_name().to_string())),
    );
    for name in &names {
        let name = name.as_deref();
        let help = long_help(name);
        let examples_at = help
            .find("\nExamples:\n")
            .unwrap_or_else(|| panic!("{name:?}: no Examples section:\n{help}"));
        let environment_at = help
            .find("\nEnvironment:\n")
            .unwrap_or_else(|| panic!("{name:?}: no Environment section:\n{help}"));
        assert!(examples_at < environment_at, "{name:?}");
        let examples = &help[examples_at..environment_at];
        let mut parsed = 0;
        for line in examples
            .lines()
            .filter(|l| l.trim_start().starts_with("hashwatt"))
        {
            let command = line.split(" # ").next().unwrap().trim();
            let words: Vec<&str> = command.split_whitespace().collect();
            if let Some(name) = name {
                assert_eq!(words.get(1), Some(&name), "{name}'s example runs {command}");
            }
            let parsed_ok = Cli::command().try_get_matches_from(&words);
            match parsed_ok {
                Ok(_) => {}
                // `--help` in an example is clap's "error" that shows help.
                Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {}
                Err(e) => panic!("{name:?}: example `{command}` does not parse: {e}"),
            }
            parsed += 1;
        }
        assert!(parsed >= 2, "{name:?}: {parsed} example(s)");
        // The Environment section lists exactly what the command reads.
        let environment = &help[environment_at..];
        let listed: Vec<&str> = environment
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .collect();
        let expected: Vec<&str> = env::read_by(name).map(|v| v.name).collect();
        assert_eq!(listed, expected, "{name:?}:\n{environment}");
        if expected.is_empty() {
            assert!(environment.contains("reads no environment variable"));
        }
    }
    // Every variable is listed somewhere: all of them under `hashwatt --help`.
    assert_eq!(env::read_by(None).count(), env::ENVIRONMENT.len());
    // The examples table names only commands that exist.
    assert!(help::examples(Some("no-such-command")).is_empty());
}

#[test]
fn help_of_the_binary_shows_both_sections() {
    let dir = tempfile::tempdir().unwrap();
    for args in [vec!["--help"], vec!["bench", "--help"], vec!["web", "-h"]] {
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("\nExamples:\n  hashwatt"),
            "{args:?}: {stdout}"
        );
        assert!(stdout.contains("\nEnvironment:\n"), "{args:?}: {stdout}");
    }
}

/// Every file under `dir` ending in `.rs`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The environment variables a source text reads: the first argument of
/// `var(..)`, `var_os(..)`, `env!(..)`, `option_env!(..)` and of any
/// function whose name has `env` in it (a helper such as `env_list`),
/// as a string literal or as a `const NAME: &str = "..."` of the file.
/// `.env(NAME, VALUE)`, which sets a child's variable, is not a read.
fn variables_read(source: &str) -> Vec<String> {
    let consts: Vec<(String, String)> = source
        .lines()
        .filter_map(|line| {
            let rest = line
                .trim_start()
                .trim_start_matches("pub ")
                .strip_prefix("const ")?;
            let (name, value) = rest.split_once(": &str = \"")?;
            Some((name.to_string(), value.split('"').next()?.to_string()))
        })
        .collect();
    let bytes = source.as_bytes();
    let mut names = Vec::new();
    for (at, _) in source.match_indices('(') {
        let start = source[..at]
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '!'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let function = &source[start..at];
        let method = start > 0 && bytes[start - 1] == b'.';
        let reads = matches!(function, "var" | "var_os" | "env!" | "option_env!")
            || (function.contains("env") && !method && !function.ends_with('!'));
        if !reads || (method && function == "env") {
            continue;
        }
        let argument = source[at + 1..].trim_start();
        let name = if let Some(literal) = argument.strip_prefix('"') {
            literal.split('"').next().map(str::to_string)
        } else {
            let ident: String = argument
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            consts
                .iter()
                .find(|(name, _)| *name == ident)
                .map(|(_, value)| value.clone())
        };
        if let Some(name) = name.filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }) {
            names.push(name);
        }
    }
    names
}

#[test]
fn every_variable_read_is_listed() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.push(root().join("build.rs"));
    let build = std::fs::read_to_string(root().join("build.rs")).unwrap();
    // Set by build.rs for the compiler (`cargo:rustc-env=NAME=...`), or by
    // cargo itself: facts of the build, not the user's environment.
    let build_set: Vec<&str> = build
        .split("cargo:rustc-env=")
        .skip(1)
        .filter_map(|rest| rest.split('=').next())
        .collect();
    assert!(build_set.contains(&"HASHWATT_GIT_COMMIT"), "{build_set:?}");
    let listed: Vec<&str> = env::ENVIRONMENT.iter().map(|v| v.name).collect();
    let mut seen = Vec::new();
    let mut missing = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for name in variables_read(&source) {
            let cargo = name.starts_with("CARGO_") || name == "OUT_DIR" || name == "RUSTC";
            if cargo || build_set.contains(&name.as_str()) {
                continue;
            }
            if !listed.contains(&name.as_str()) {
                missing.push(format!("{name} ({})", file.display()));
            }
            seen.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "read but not in src/cli/env.rs: {missing:?}"
    );
    // The scan finds reads of each kind, so it can fail.
    for name in [
        "WGPU_BACKEND",
        "HASHWATT_RADV_ICD",
        "XDG_CONFIG_DIRS",
        "HOME",
    ] {
        assert!(
            seen.iter().any(|s| s == name),
            "{name} not found by the scan"
        );
    }
    assert_eq!(
        variables_read("let x = std::env::var_os(\"NEW_ONE\"); c.env(\"SET_ONLY\", 1);"),
        ["NEW_ONE"]
    );
    // And nothing is listed that nothing reads.
    for name in listed {
        assert!(
            seen.iter().any(|s| s == name),
            "{name} is listed but never read"
        );
    }
}

#[test]
fn each_help_offers_only_what_its_command_takes() {
    // Another command's option named with it (`search --header`, `sbatch
    // --array`) is fine where that command takes it.
    let elsewhere = |text: &str, at: usize, flag: &str| {
        let Some(tick) = text[..at].rfind('`') else {
            return false;
        };
        let Some(word) = text[tick + 1..at].strip_suffix(' ') else {
            return false;
        };
        if word.contains(' ') || word == "hashwatt" {
            return false;
        }
        match visible_subcommands().iter().find(|c| c.get_name() == word) {
            Some(other) => other
                .get_arguments()
                .any(|a| a.get_long().is_some_and(|l| format!("--{l}") == flag)),
            None => true, // another program's option
        }
    };
    for sub in visible_subcommands() {
        let flags: Vec<String> = sub
            .get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .chain(["--help".to_string(), "--version".to_string()])
            .collect();
        let mut texts: Vec<String> = sub
            .get_arguments()
            .filter_map(|a| a.get_long_help().or(a.get_help()).map(|h| h.to_string()))
            .collect();
        texts.extend(
            sub.get_long_about()
                .or(sub.get_about())
                .map(|h| h.to_string()),
        );
        for text in &texts {
            for (at, _) in text.match_indices("--") {
                let flag: String = text[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if flag.len() > 2 && !flags.contains(&flag) && !elsewhere(text, at, &flag) {
                    panic!(
                        "{}'s help mentions {flag}, which it does not take: {text}",
                        sub.get_name()
                    );
                }
            }
        }
    }
    let device_help = |name: &str| {
        let command = Cli::command();
        let sub = command.find_subcommand(name).unwrap();
        let device = sub
            .get_arguments()
            .find(|a| a.get_id() == "device")
            .unwrap();
        device.get_help().unwrap().to_string()
    };
    // tune refuses the CPU device; search refuses `all`.
    assert!(
        !device_help("tune").contains("`cpu`"),
        "{}",
        device_help("tune")
    );
    assert!(
        !device_help("search").contains("`all`"),
        "{}",
        device_help("search")
    );
    for name in ["verify", "bench"] {
        assert!(device_help(name).contains("`cpu`") && device_help(name).contains("`all`"));
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["tune", "--device", "cpu"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn devices_stars_what_bench_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["devices", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let devices: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let starred: Vec<&serde_json::Value> = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["default"] == true)
        .collect();
    assert_eq!(starred.len(), 1, "{devices}");
    let out = run_in(
        dir.path(),
        &[
            "bench",
            "--nonces",
            "300000",
            "--idle-seconds",
            "0",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bench: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bench["device"]["name"], starred[0]["name"], "{bench}");
    // The table's star is on the same row.
    let out = run_in(dir.path(), &["devices"]);
    let table = text(&out.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with('*'))
        .expect("a starred row");
    assert!(
        row.contains(starred[0]["name"].as_str().unwrap()),
        "{table}"
    );
    assert!(table.contains("* what `bench` runs when no --device is given"));
}

#[test]
fn a_run_shorter_than_a_batch_says_one_batch_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "20000",
            "--idle-seconds",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout.lines().find(|l| l.contains("hashrate")).unwrap();
    assert!(line.contains("20000 nonces in"), "{line}");
    assert!(line.ends_with(", 1 batch of 20000"), "{line}");
    let out = run_in(
        dir.path(),
        &[
            "bench",
            "--device",
            "cpu",
            "--nonces",
            "20000",
            "--idle-seconds",
            "0",
            "--json",
        ],
    );
    let bench: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bench["batches"], 1, "{bench}");
    assert_eq!(bench["batch_sizes"]["max"], 20000, "{bench}");
    assert_eq!(bench["batch_sizes"]["first"], 20000, "{bench}");
}

#[test]
fn the_cpu_device_is_not_called_the_cpu_reference() {
    // Allowed: the module named `reference` (src/cpu/reference.rs) and the
    // device name an older bench file recorded (a fixture of src/report/read.rs).
    let allowed = [
        root().join("src/cpu/reference.rs"),
        root().join("src/report/read.rs"),
    ];
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("examples"), &mut files);
    files.push(root().join("README.md"));
    for entry in std::fs::read_dir(root().join("docs")).unwrap().flatten() {
        files.push(entry.path());
    }
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !allowed.contains(f)) {
        let Ok(source) = std::fs::read_to_string(file) else {
            continue;
        };
        for (number, line) in source.lines().enumerate() {
            if line.to_lowercase().contains("cpu reference") {
                found.push(format!("{}:{}: {line}", file.display(), number + 1));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn outln_and_errln_print_one_line_each() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut found = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for macro_name in ["outln!(", "errln!("] {
            for (at, _) in source.match_indices(macro_name) {
                let rest = source[at + macro_name.len()..].trim_start();
                let Some(literal) = rest.strip_prefix('"') else {
                    continue;
                };
                // The format string, up to its closing quote.
                let mut end = 0;
                let mut escaped = false;
                for (i, c) in literal.char_indices() {
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => {
                            end = i;
                            break;
                        }
                        _ => escaped = false,
                    }
                }
                let format = &literal[..end];
                // A `\` at a line's end continues the literal: not a newline.
                let printed = format.replace("\\\n", "");
                if printed.contains("\\n") || printed.contains('\n') {
                    let line = source[..at].lines().count();
                    found.push(format!(
                        "{}:{line}: {macro_name}\"{format}\"",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "blank lines are their own outln!(): {found:#?}"
    );
}
