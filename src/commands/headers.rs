//! `hashwatt headers`: the embedded real mainnet headers.

use crate::chain::catalog;
use crate::cli::HeadersArgs;
use crate::error::{exit, Result};
use crate::report::{self, JsonOut};

pub fn run(args: &HeadersArgs) -> Result<i32> {
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let rows: Vec<report::HeaderRow> = catalog::embedded()
        .into_iter()
        .map(|known| report::HeaderRow {
            height: known.height,
            hash: known.header.block_hash().to_string(),
            version: format!("0x{:08x}", known.header.version()),
            time: known.header.time(),
            bits: format!("0x{:08x}", known.header.bits()),
            difficulty: known.header.difficulty(),
            nonce: known.header.nonce(),
            header: known.header.to_hex(),
        })
        .collect();
    let document = report::HeadersReport {
        schema: report::HEADERS_SCHEMA.into(),
        headers: rows,
    };
    match &json {
        Some(out @ JsonOut::Stdout) => {
            return report::write_json(&document, out).map(|()| exit::OK)
        }
        Some(out @ JsonOut::File(destination)) => {
            print_table(&document.headers);
            report::write_json(&document, out)?;
            outln!("wrote {}", destination.path().display());
        }
        None => print_table(&document.headers),
    }
    Ok(exit::OK)
}

/// The human table, one header a line.
fn print_table(rows: &[report::HeaderRow]) {
    outln!(
        "{:>7}  {:<64}  {:<10}  {:>9}  {:>10}  {:<10}",
        "height",
        "block hash",
        "bits",
        "difficulty",
        "nonce",
        "date"
    );
    for row in rows {
        let height = row.height.map_or("?".to_string(), |h| h.to_string());
        let date = crate::units::date_of(row.time as u64);
        outln!(
            "{height:>7}  {}  {}  {:>9}  {:>10}  {date}",
            row.hash,
            row.bits,
            crate::units::format_si(row.difficulty).trim_end(),
            row.nonce
        );
    }
    outln!();
    outln!(
        "{} headers; pass a height to --header, e.g. `hashwatt search --header 0`",
        rows.len()
    );
}
