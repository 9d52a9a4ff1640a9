//! What `estimate` prints, read as a person reads it: the headline on the
//! first line, figures rounded to their meaning, today's network and the
//! one after the site joins both labelled, provenance behind `--explain`,
//! a helpful error with no efficiency, and one phrasing and one rounding
//! of J/TH and of the device-vs-ASIC ratio in `estimate` and `bench`.
// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::process::{Command, Output};

use hashwatt::units::{format_btc, format_jth, format_percent, format_rate, format_ratio};

fn hashwatt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(args: &[&str]) -> String {
    let output = hashwatt(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut args = args.to_vec();
    args.extend(["--json", "-"]);
    serde_json::from_str(&stdout(&args)).unwrap()
}

fn f(value: &serde_json::Value) -> f64 {
    value.as_f64().unwrap()
}

/// The line of `text` that starts (after its indent) with `label`.
fn row<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label:?} in\n{text}"))
}

/// `estimate --jth 15`: the answer is the first line, in the JSON's own
/// figures rounded the one way; the note under it says the site joins
/// the network; one scenario has no "scenario 1" heading; no provenance
/// without --explain.
#[test]
fn the_headline_is_the_first_line() {
    let args = ["estimate", "--jth", "15"];
    let text = stdout(&args);
    let e = json(&args);
    let s = &e["scenarios"][0];
    let headline = format!(
        "5,700 MW at 15.0 J/TH → {}, {} of the network, {} BTC/day",
        format_rate(f(&s["site_hashes_per_second"])),
        format_percent(f(&s["network_share"])),
        format_btc(f(&s["btc_per_day"]))
    );
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), headline, "{text}");
    // As the issue reads it today: 345 EH/s, about a quarter, 116 BTC.
    assert!(headline.contains("→ 345 EH/s, 25."), "{headline}");
    assert!(headline.ends_with(" 116.0 BTC/day"), "{headline}");
    let note = lines.next().unwrap();
    assert!(
        note.contains("joins today's 995 EH/s network") && note.contains("after it joins"),
        "{note}"
    );
    for absent in ["scenario 1", "[default]", "[chain]", "   from"] {
        assert!(!text.contains(absent), "{absent:?} in\n{text}");
    }
    // BTC to 4 significant figures, the share as a percentage.
    assert!(
        row(&text, "BTC per day, after joining").ends_with(" 116.0"),
        "{text}"
    );
    assert!(row(&text, "network share").trim_end().ends_with('%'));
    assert!(!text.contains("115.9991"), "{text}");
}

/// `--explain` puts back where each figure came from: a column and a tag
/// beside each input. The JSON has it either way.
#[test]
fn explain_says_where_each_figure_came_from() {
    let text = stdout(&["estimate", "--jth", "15", "--explain"]);
    assert!(text
        .lines()
        .next()
        .unwrap()
        .starts_with("5,700 MW at 15.0 J/TH → "));
    assert!(text.contains("given (--jth) [given]"), "{text}");
    assert!(text.contains("5,700 MW plant [default]"), "{text}");
    assert!(text.contains("today [chain]: difficulty"), "{text}");
    assert!(
        row(&text, "site hashrate").ends_with("given, default"),
        "{text}"
    );
    assert!(row(&text, "100% of plant").ends_with("from"), "{text}");
    let e = json(&["estimate", "--jth", "15"]);
    assert_eq!(e["inputs"]["plant_mw"]["source"], "default");
}

/// With no efficiency, `estimate` is bad input (exit 2), and says what it
/// needs with commands to copy; the first two of them run as shown.
#[test]
fn with_no_efficiency_it_shows_the_way() {
    let output = hashwatt(&["estimate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with("hashwatt: error: estimate needs an efficiency: --jth X"),
        "{err}"
    );
    assert!(err.contains("for example:"), "{err}");
    let examples: Vec<&str> = err
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("hashwatt estimate "))
        .collect();
    assert_eq!(examples.len(), 3, "{err}");
    for example in &examples[..2] {
        let args: Vec<&str> = example.split("  ").next().unwrap().split(' ').collect();
        let mut command = vec!["estimate"];
        command.extend(args);
        stdout(&command);
    }
    // Still one group: two efficiencies at once are refused by clap.
    let output = hashwatt(&["estimate", "--jth", "15", "--hashes-per-joule", "1e10"]);
    assert_eq!(output.status.code(), Some(2));
}

/// A site that moves the network: today's hashprice and revenue per MWh
/// beside the figures after it joins, each labelled, and the JSON's
/// `joining` behind them. A site under 1% of the network has one line.
#[test]
fn today_and_after_joining_are_both_shown_and_labelled() {
    let args = ["estimate", "--jth", "15", "--btc-usd", "91132"];
    let text = stdout(&args);
    let e = json(&args);
    let s = &e["scenarios"][0];
    let j = &s["joining"];
    assert_eq!(j["moves_network"], true);
    let hashprice = row(&text, "hashprice");
    assert!(
        hashprice.contains("on today's network") && hashprice.contains("once the site joins"),
        "{hashprice}"
    );
    let today = f(&j["revenue_usd_per_mwh_at_todays_hashprice"]);
    let after = f(&s["economics"]["revenue_usd_per_mwh"]);
    assert!(today > after * 1.2, "{today} against {after}");
    assert!(row(&text, "revenue per MWh at today's hashprice").contains('$'));
    assert!(row(&text, "revenue per MWh, after joining = break-even").contains('$'));
    assert!(row(&text, "BTC per day at today's hashprice").contains('.'));
    // The after-joining hashprice is today's over (network + site).
    let network = f(&e["site"]["network"]["hashes_per_second"]);
    let site = f(&s["site_hashes_per_second"]);
    let ratio = f(&e["hashprice"]["btc_per_ph_day"]) / f(&j["hashprice_after"]["btc_per_ph_day"]);
    assert!(((ratio - (network + site) / network) / ratio).abs() < 1e-9);

    let small = stdout(&[
        "estimate",
        "--jth",
        "15",
        "--plant-mw",
        "10",
        "--btc-usd",
        "91132",
    ]);
    assert_eq!(small.lines().nth(1), Some(""), "one line: {small}");
    for absent in ["today", "after joining", "once the site joins"] {
        assert!(!small.contains(absent), "{absent:?} in\n{small}");
    }
}

/// Several scenarios: a headline each, first, and columns headed by their
/// share of the plant.
#[test]
fn each_scenario_has_its_headline() {
    let text = stdout(&["estimate", "--jth", "9.5", "--fraction", "1,0.5,0.333"]);
    let firsts: Vec<&str> = text.lines().take(3).collect();
    assert!(firsts[0].starts_with("5,700 MW at 9.50 J/TH → "), "{text}");
    assert!(firsts[1].starts_with("2,850 MW at 9.50 J/TH → "), "{text}");
    assert!(firsts[2].starts_with("1,898 MW at 9.50 J/TH → "), "{text}");
    assert!(text.contains("100% of plant") && text.contains("33.3% of plant"));
}

/// The 2010 network is smaller than 1 PH/s: the hashprice is said to be
/// above the whole block reward, not printed as a twelve-digit number.
#[test]
fn a_hashprice_above_the_whole_block_reward_is_said_as_such() {
    let text = stdout(&[
        "estimate",
        "--jth",
        "9.5",
        "--network-from",
        "@tests/data/mainnet-headers-32257-35256.txt",
    ]);
    let hashprice = row(&text, "hashprice");
    assert!(
        hashprice.contains("above the whole block reward") && hashprice.contains("7,200 BTC a day"),
        "{hashprice}"
    );
    let long_number = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|digits| digits.len() >= 10);
    assert_eq!(long_number, None, "{text}");
}

/// One rounding of J/TH and one phrasing of the ratio: the ASIC table and
/// the JSON agree through `units`, and `bench` (with stated watts) says
/// the ratio in the same words.
#[test]
fn jth_and_the_ratio_are_said_one_way() {
    let args = ["estimate", "--jth", "2319699.43"];
    let text = stdout(&args);
    let e = json(&args);
    assert!(text.contains("efficiency   2,320,000 J/TH"), "{text}");
    assert!(text.contains("energy per hash vs ASIC"), "{text}");
    for a in e["asics"].as_array().unwrap() {
        let line = row(&text, a["model"].as_str().unwrap());
        assert!(
            line.contains(&format!(" {} ", format_jth(f(&a["joules_per_terahash"]))))
                && line.ends_with(&format_ratio(f(&a["device_energy_ratio"]))),
            "{line}"
        );
    }
    assert!(text.contains("244,000×"), "{text}");

    let bench = stdout(&[
        "bench",
        "--device",
        "cpu",
        "--nonces",
        "2000000",
        "--watts",
        "35",
        "--idle-seconds",
        "0",
    ]);
    let efficiency = row(&bench, "efficiency");
    let jth = efficiency
        .split(" J/TH")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .unwrap();
    assert!(jth.contains(',') || jth.contains('.'), "{efficiency}");
    let closing = row(&bench, "the same site with the Antminer S23 Hydro");
    assert!(
        closing.contains("× the energy per hash of the Antminer S23 Hydro"),
        "{closing}"
    );
    let site = row(&bench, "at site scale");
    assert!(
        site.contains(&format!("at {jth} J/TH → ")),
        "{site}\n{efficiency}"
    );
}
