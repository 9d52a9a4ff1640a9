//! `hashwatt compare`: bench results side by side, ratios against the
//! first, and whether each difference exceeds the runs' own spread.

use crate::cli::CompareArgs;
use crate::error::{exit, Result};
use crate::report::compare::{self, Comparison};
use crate::report::{self, JsonOut};
use crate::units::format_rate;
use crate::units::{format_jth, format_ratio};

pub fn run(args: &CompareArgs) -> Result<i32> {
    super::json_before_files(args.json.as_deref(), args.force)?;
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let inputs: Vec<(&str, &std::path::Path)> = args
        .files
        .iter()
        .map(|path| ("input", path.as_path()))
        .collect();
    super::check_outputs(json.as_ref(), None, &inputs)?;
    let reports = args
        .files
        .iter()
        .map(|path| Ok((path.display().to_string(), report::read_bench(path)?)))
        .collect::<Result<Vec<_>>>()?;
    let comparison = compare::compare(&reports)?;
    for row in &comparison.rows {
        if let Some(why) = &row.unproven {
            errln!(
                "hashwatt: note: {}: {why}",
                crate::sanitize::sanitize(&row.file)
            );
        }
    }
    match &json {
        Some(JsonOut::Stdout) => report::write_json(&comparison, &JsonOut::Stdout)?,
        Some(out @ JsonOut::File(destination)) => {
            print_table(&comparison);
            report::write_json(&comparison, out)?;
            outln!("wrote {}", destination.path().display());
        }
        None => print_table(&comparison),
    }
    Ok(exit::OK)
}

fn print_table(comparison: &Comparison) {
    let width = |f: &dyn Fn(&compare::CompareRow) -> usize, min: usize| {
        comparison.rows.iter().map(f).max().unwrap_or(min).max(min)
    };
    // Names from the files are printed escaped (see crate::output): the
    // columns are as wide as what is shown.
    let shown = |text: &str| crate::sanitize::sanitize(text).chars().count();
    let file_w = width(&|r| shown(&r.file), 4);
    let device_w = width(&|r| shown(&r.device), 6);
    outln!(
        "  {:<file_w$}  {:<device_w$}  {:<8}  {:<14}  {:>11}  {:>25}  {:>9}  {:>16}  {:>8}  {:>8}  vs first",
        "file", "device", "backend", "kernel", "hashrate", "p5 .. p95", "stable", "J/TH", "rate", "energy"
    );
    for row in &comparison.rows {
        let spread = row
            .spread
            .as_ref()
            .map_or("no spread recorded".into(), |s| {
                format!("{} .. {}", format_rate(s.p5), format_rate(s.p95))
            });
        let stable = row.stability.map_or("n/a".to_string(), |v| {
            serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        });
        let jth = match (row.joules_per_terahash, row.energy_measured) {
            (Some(j), Some(true)) => format_jth(j),
            (Some(j), _) => format!("{} stated", format_jth(j)),
            (None, _) => "n/a".into(),
        };
        let verdict = match row.exceeds_spread {
            None if std::ptr::eq(row, &comparison.rows[0]) => "baseline",
            None => "no spread to judge",
            Some(true) => "beyond both runs' spread",
            Some(false) => "within the runs' spread",
        };
        outln!(
            "  {:<file_w$}  {:<device_w$}  {:<8}  {:<14}  {:>11}  {:>25}  {:>9}  {:>16}  {:>8}  {:>8}  {verdict}",
            crate::sanitize::sanitize(&row.file),
            crate::sanitize::sanitize(&row.device),
            row.backend,
            row.kernel.as_deref().unwrap_or("cpu"),
            format_rate(row.hashes_per_second),
            spread,
            stable,
            jth,
            format_ratio(row.rate_ratio),
            row.efficiency_ratio.map_or("n/a".into(), format_ratio),
        );
    }
    outln!("  (rate: hashrate over the first's; energy: the first's J/TH over this one's, above 1 is less energy per hash)");
}
