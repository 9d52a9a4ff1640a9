//! The one reader of bench documents. `compare`, `estimate --from`, a
//! fleet's files and the web page's estimate all read through it: the
//! bounded reader (at most [`MAX_DOCUMENT_BYTES`]), the schema named, the
//! document parsed whole, and every figure checked by [`validate`] before
//! anything is believed. Errors are one line naming the file and the field.

use super::validate::{validate, Standing};
use super::{BenchReport, BENCH_SCHEMA, BENCH_SCHEMA_V1, BENCH_SCHEMA_V2};
use crate::error::{Error, Result};
use crate::sanitize::sanitize;
use crate::site::{jth_from_hashes_per_joule, Efficiency};

/// The largest result file read: a bench document with a day's time series
/// is a few megabytes.
pub const MAX_DOCUMENT_BYTES: u64 = 64 << 20;

/// The schemas read: this version's and the two before it.
const READABLE: [&str; 3] = [BENCH_SCHEMA, BENCH_SCHEMA_V2, BENCH_SCHEMA_V1];

/// Reads a `bench --json` file of any version, refusing anything else by
/// name: another document, a damaged one, one too large to be a result, a
/// run that is no result (its proof of work failed), or a figure that
/// cannot be believed (see [`validate`]).
pub fn read_bench(path: &std::path::Path) -> Result<BenchReport> {
    let text = crate::textfile::read_text(path, "bench result", MAX_DOCUMENT_BYTES)
        .map_err(Error::input)?;
    parse_bench(&text, &path.display().to_string())
}

/// [`read_bench`] for a document already in memory; `name` (a file name,
/// or "the page's bench document") leads every error.
pub fn parse_bench(text: &str, name: &str) -> Result<BenchReport> {
    let shown = sanitize(name);
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::input(format!("{shown}: not JSON ({e})")))?;
    let schema = value
        .get("schema")
        .and_then(|s| s.as_str())
        .unwrap_or("none");
    if !READABLE.contains(&schema) {
        return Err(Error::input(format!(
            "{shown}: not a hashwatt bench result (schema {:?}, expected one of {}; write one with `hashwatt bench --json FILE`)",
            sanitize(schema),
            READABLE.map(|s| format!("{s:?}")).join(", ")
        )));
    }
    let report: BenchReport = serde_json::from_value(value)
        .map_err(|e| Error::input(format!("{shown}: a damaged bench result: {e}")))?;
    validate(&report).map_err(|why| Error::input(format!("{shown}: {why}")))?;
    Ok(report)
}

/// The efficiency of a bench document read through [`read_bench`]: its
/// energy, which must be there (measured or stated), named after the
/// device and the meter, with a note where the document is unproven.
pub fn efficiency(report: &BenchReport, name: &str) -> Result<Efficiency> {
    let energy = report.energy.as_ref().ok_or_else(|| {
        Error::input(format!(
            "{}: this bench result has no energy (no meter was read): rerun bench with a power meter or --watts W, or give --jth",
            sanitize(name)
        ))
    })?;
    let meter = if energy.measured {
        printable(&energy.meter)
    } else {
        "stated power".into()
    };
    let unproven = match validate(report) {
        Ok(Standing::Unproven(why)) => Some(why),
        _ => None,
    };
    Ok(Efficiency {
        source: format!(
            "{} ({}, {meter})",
            printable(&report.device.name),
            printable(&report.device.backend)
        ),
        hashes_per_joule: energy.hashes_per_joule,
        joules_per_terahash: jth_from_hashes_per_joule(energy.hashes_per_joule),
        measured: Some(energy.measured),
        device_watts: Some(energy.avg_watts),
        unproven,
    })
}

/// Text from a file, safe to print: control and invisible characters
/// escaped, at most 80 characters.
fn printable(text: &str) -> String {
    let cut: String = text.chars().take(80).collect();
    let mut out = sanitize(&cut).into_owned();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = include_str!("../../tests/data/bench-v1.json");

    fn v1() -> serde_json::Value {
        serde_json::from_str(V1).unwrap()
    }

    fn parse(value: &serde_json::Value) -> Result<BenchReport> {
        parse_bench(&value.to_string(), "x.json")
    }

    #[test]
    fn an_older_file_is_read_as_unproven() {
        let report = parse(&v1()).unwrap();
        match validate(&report).unwrap() {
            Standing::Unproven(why) => assert!(why.contains("68.6 shares expected"), "{why}"),
            other => panic!("{other:?}"),
        }
        let e = efficiency(&report, "x.json").unwrap();
        assert_eq!(e.hashes_per_joule, 89582.12522914188);
        assert!(e.unproven.is_some());
        assert_eq!(
            e.source,
            "CPU reference (sha2, 2 threads) (cpu, stated power)"
        );
    }

    #[test]
    fn every_figure_is_checked_naming_the_field() {
        type Edit = fn(&mut serde_json::Value);
        let cases: [(Edit, &str); 10] = [
            (
                |v| v["hashes_per_second"] = (-5.0).into(),
                "hashes_per_second is -5",
            ),
            (
                |v| v["hashes_per_second"] = 5e-324.into(),
                "hashes_per_second is 5e-324",
            ),
            (|v| v["seconds"] = 0.0.into(), "seconds is 0"),
            (|v| v["nonces"] = 0.into(), "nonces is 0"),
            (
                |v| v["shares"]["found"] = 10.into(),
                "shares.verified is 74 of 10",
            ),
            (
                |v| v["shares"]["expected"] = 1.0.into(),
                "shares.expected is 1",
            ),
            (
                |v| v["energy"]["joules_per_terahash"] = 9.0.into(),
                "energy.joules_per_terahash is 9",
            ),
            (
                |v| v["energy"]["avg_watts"] = 1e308.into(),
                "energy.avg_watts is 1e308",
            ),
            (
                |v| {
                    v["shares"]["found"] = 0.into();
                    v["shares"]["verified"] = 0.into();
                },
                "not a result (shares.found is too few): proof of work failed: found 0 shares",
            ),
            (
                |v| v["schema"] = "hashwatt.bench/9".into(),
                "not a hashwatt bench result",
            ),
        ];
        for (edit, expected) in cases {
            let mut value = v1();
            edit(&mut value);
            let err = parse(&value).unwrap_err();
            assert!(
                err.message.starts_with("x.json: ") && err.message.contains(expected),
                "{expected}: {}",
                err.message
            );
        }
    }

    #[test]
    fn a_spread_out_of_order_is_refused() {
        let mut value = v1();
        value["schema"] = "hashwatt.bench/2".into();
        value["spread"] = serde_json::json!({
            "count": 5, "median": 9e6, "mean": 9e6, "min": 8e6, "max": 1e7,
            "p5": 9.5e6, "p95": 8.5e6, "cv": 0.01, "drift": 0.0, "verdict": "stable"
        });
        let err = parse(&value).unwrap_err();
        assert!(
            err.message.contains("spread.p5 is 9500000, above median"),
            "{}",
            err.message
        );
    }
}
