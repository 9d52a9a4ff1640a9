//! `hashwatt search`: one nonce range over one header, every hit verified.

use std::time::Instant;

use crate::chain::catalog;
use crate::chain::target::Target;
use crate::cli::SearchArgs;
use crate::error::{exit, Error, Result};
use crate::kernel::KernelConfig;
use crate::report;
use crate::search::{expected_hits, search_batches, NonceRange, MAX_EXPECTED_HITS};
use crate::verify::hits::{self, VerifiedHit};

/// Nonces per submission: small enough to keep a slow adapter responsive.
const BATCH: u64 = 1 << 22;

pub fn run(args: &SearchArgs) -> Result<i32> {
    let json = report::JsonOut::parse(args.json.as_deref(), args.force)?;
    let inputs: Vec<(&str, &std::path::Path)> = super::header_file(Some(&args.header))
        .map(|path| ("--header file", path))
        .into_iter()
        .collect();
    super::check_outputs(json.as_ref(), None, &inputs)?;
    let known = catalog::resolve(&args.header)?;
    let header = known.header;
    let range = NonceRange::new(args.start, args.count)?;
    let target = match (&args.share_bits, &args.target) {
        (Some(bits), _) => Target::from_leading_zero_bits(*bits)?,
        (None, Some(hex)) => Target::from_hex(hex)?,
        (None, None) => header.target().map_err(|e| {
            Error::input(format!("the header's {e}; give --share-bits or --target"))
        })?,
    };
    let expected = expected_hits(range.count(), &target);
    if expected > MAX_EXPECTED_HITS {
        return Err(Error::input(format!(
            "--count {} at this target would give about {expected:.0} hits, and search lists \
every one; at most {MAX_EXPECTED_HITS:.0} are allowed: give a harder target (--share-bits) or a \
smaller --count",
            range.count()
        )));
    }
    let choices = super::choose_devices_with(args.device.as_deref(), &args.cpu)?;
    if choices.len() != 1 {
        return Err(Error::input(
            "search runs on one device; pick one with --device",
        ));
    }
    let mut searcher = choices[0].open(KernelConfig::default())?;

    let started = Instant::now();
    let mut found: Vec<VerifiedHit> = Vec::new();
    search_batches(
        &mut *searcher,
        &header,
        range.start(),
        range.count(),
        &target,
        BATCH,
        |searcher, result| {
            found.extend(hits::verify(searcher, &result)?);
            Ok(())
        },
    )?;
    let seconds = started.elapsed().as_secs_f64();
    found.sort_by_key(|h| h.nonce);

    let out = report::SearchReport {
        schema: report::SEARCH_SCHEMA.into(),
        device: searcher.name(),
        header: header.block_hash().to_string(),
        start: range.start(),
        nonces: range.count(),
        target: target.to_string(),
        seconds,
        hits: found,
    };
    match &json {
        Some(stdout @ report::JsonOut::Stdout) => report::write_json(&out, stdout)?,
        Some(file @ report::JsonOut::File(destination)) => {
            print_table(&known, &range, &out);
            report::write_json(&out, file)?;
            outln!("wrote {}", destination.path().display());
        }
        None => print_table(&known, &range, &out),
    }
    Ok(exit::OK)
}

/// The human report: the header, the range, each hit, the time.
fn print_table(known: &catalog::KnownHeader, range: &NonceRange, out: &report::SearchReport) {
    outln!("header  {} ({})", known.label(), out.header);
    outln!("target  {}", out.target);
    outln!(
        "range   {}..{} ({} nonces) on {}",
        out.start,
        range.end(),
        out.nonces,
        out.device
    );
    outln!();
    outln!("{} hit(s), each verified with sha2:", out.hits.len());
    for hit in &out.hits {
        let block = if hit.meets_header_target {
            "  meets the header's target (a valid block)"
        } else {
            ""
        };
        outln!("  nonce {:>10}  {}{block}", hit.nonce, hit.hash);
    }
    outln!();
    outln!(
        "{:.2} s, {}",
        out.seconds,
        crate::units::format_rate(out.nonces as f64 / out.seconds.max(1e-9))
    );
}
