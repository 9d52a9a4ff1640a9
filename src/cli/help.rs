//! What every `--help` ends with: an Examples section (real commands, each
//! parsed by a test) and an Environment section written from
//! [`super::env::ENVIRONMENT`].

use std::fmt::Write;

/// A command's examples: (command line, what it does).
type Examples = &'static [(&'static str, &'static str)];

/// Examples for each command (`None`: `hashwatt` itself), each a command
/// line and what it does. Files named are ones an earlier example writes
/// or the repository holds.
const EXAMPLES: &[(Option<&str>, Examples)] = &[
    (
        None,
        &[
            ("hashwatt devices", "what can run a search here"),
            ("hashwatt bench", "10 s on the best device present"),
            ("hashwatt estimate --jth 15", "a 5,700 MW site at 15 J/TH"),
            ("hashwatt bench --help", "every option of one command"),
        ],
    ),
    (
        Some("devices"),
        &[
            ("hashwatt devices", "the table; * marks what `bench` runs"),
            (
                "hashwatt devices --json",
                "the same as JSON on standard output",
            ),
        ],
    ),
    (
        Some("headers"),
        &[
            ("hashwatt headers", "the 61 embedded headers"),
            ("hashwatt headers --json headers.json", "written to a file"),
        ],
    ),
    (
        Some("search"),
        &[
            (
                "hashwatt search --header genesis --start 2083200000 --count 100000",
                "finds the genesis nonce",
            ),
            (
                "hashwatt search --header 0 --share-bits 20 --device cpu --json",
                "shares on the CPU device, as JSON",
            ),
        ],
    ),
    (
        Some("verify"),
        &[
            (
                "hashwatt verify --device 0",
                "adapter 0's kernels on 61 real blocks",
            ),
            (
                "hashwatt verify --kernel examples/kernels/minimal.wgsl",
                "the conformance suite on a kernel file",
            ),
            (
                "hashwatt verify --kernel shader.wgsl --hash-fn sha256d_header --digest",
                "a third-party hash function alone",
            ),
        ],
    ),
    (
        Some("bench"),
        &[
            ("hashwatt bench", "10 s on the best device present"),
            (
                "hashwatt bench --device 0 --duration 30 --json run.json --plot run.svg",
                "adapter 0, result and plot written",
            ),
            (
                "hashwatt bench --device cpu --watts 65",
                "the CPU device at a stated 65 W",
            ),
            (
                "hashwatt bench --kernel examples/kernels/minimal.wgsl --duration 5",
                "a kernel file, every share verified",
            ),
        ],
    ),
    (
        Some("tune"),
        &[
            (
                "hashwatt tune --device 0 --quick",
                "a 30 s sweep on adapter 0",
            ),
            (
                "hashwatt tune --max-settings 12 --max-seconds 60 --json",
                "a capped sweep, as JSON",
            ),
        ],
    ),
    (
        Some("estimate"),
        &[
            ("hashwatt estimate --jth 15", "a 5,700 MW site at 15 J/TH"),
            (
                "hashwatt estimate --from run.json --plant-mw 950",
                "one 950 MW unit filled with the benched device",
            ),
            (
                "hashwatt estimate --jth 15 --fraction 1,0.5 --btc-usd 91132 --explain",
                "two scenarios, revenue, where each input came from",
            ),
        ],
    ),
    (
        Some("compare"),
        &[
            (
                "hashwatt compare a.json b.json",
                "b against a, with the spread",
            ),
            (
                "hashwatt compare a.json b.json --json",
                "the comparison as JSON",
            ),
        ],
    ),
    (
        Some("fleet"),
        &[
            (
                "hashwatt fleet /shared/fleet-run --expect 0-15",
                "a 16-task job array's results",
            ),
            (
                "hashwatt fleet /shared/fleet-run --json fleet.json --plot fleet.svg",
                "the report and its plot written",
            ),
        ],
    ),
    (
        Some("kernel-cost"),
        &[
            (
                "hashwatt kernel-cost",
                "the fast kernel's operations per nonce",
            ),
            (
                "hashwatt kernel-cost --kernel examples/kernels/minimal.wgsl --json",
                "a kernel file, as JSON",
            ),
            (
                "hashwatt kernel-cost --isa gfx1100",
                "RDNA3 instructions per nonce (needs RADV)",
            ),
        ],
    ),
    (
        Some("web"),
        &[
            (
                "hashwatt web",
                "serve the browser page at http://127.0.0.1:8421/",
            ),
            (
                "hashwatt web --port 0 --open",
                "on a free port, opened in the browser",
            ),
        ],
    ),
];

/// The examples of `command` (`None`: the program), as (command line, what
/// it does).
pub fn examples(command: Option<&str>) -> Examples {
    EXAMPLES
        .iter()
        .find(|(name, _)| *name == command)
        .map_or(&[], |(_, examples)| examples)
}

/// The text after a command's options: its Examples, then its Environment.
pub fn after_help(command: Option<&str>) -> String {
    let mut text = String::from("Examples:\n");
    let examples = examples(command);
    let width = examples
        .iter()
        .map(|(line, _)| line.len())
        .max()
        .unwrap_or(0);
    for (line, what) in examples {
        let _ = writeln!(text, "  {line:<width$}  # {what}");
    }
    text.push_str("\nEnvironment:\n");
    let vars: Vec<_> = super::env::read_by(command).collect();
    if vars.is_empty() {
        text.push_str("  none: this command reads no environment variable (`hashwatt --help` lists them all)\n");
    }
    let width = vars.iter().map(|var| var.name.len()).max().unwrap_or(0);
    for var in vars {
        let _ = writeln!(text, "  {:<width$}  {}", var.name, var.meaning);
    }
    text.trim_end().to_string()
}
