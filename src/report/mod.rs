//! What hashwatt reports: the JSON documents (`--json`), their schema
//! names, and where they are written. Every document type derives
//! `JsonSchema`; `schemas/` holds the schemas generated from them (see
//! `commands::schemas`).

mod bench;
#[cfg(feature = "native")]
pub mod bench_plot;
pub mod compare;
mod documents;
mod read;
mod validate;
mod verify;

pub use bench::{
    BenchAllReport, BenchReport, FailedRun, HeaderRef, KernelReport, RunContext, Shares, Stability,
    BENCH_ALL_SCHEMA, BENCH_SCHEMA, BENCH_SCHEMA_V1, BENCH_SCHEMA_V2,
};
pub use documents::{
    CpuPathRow, DeviceRow, DevicesReport, HeaderRow, HeadersReport, SearchReport, DEVICES_SCHEMA,
    HEADERS_SCHEMA, SEARCH_SCHEMA,
};
pub use read::{efficiency, parse_bench, read_bench, MAX_DOCUMENT_BYTES};
pub use validate::{validate, Standing};
pub use verify::read_verify;

#[cfg(feature = "native")]
use serde::Serialize;

#[cfg(feature = "native")]
use crate::error::{Error, Result};
#[cfg(feature = "native")]
use crate::output::Destination;

#[cfg(feature = "native")]
/// Where a `--json` document goes: standard output (`-`, or the option
/// with no value) or a file checked before the run.
#[derive(Clone, Debug)]
pub enum JsonOut {
    Stdout,
    File(Destination),
}

#[cfg(feature = "native")]
impl JsonOut {
    /// Reads `--json [PATH]`; a file is checked now (see
    /// [`Destination::prepare`]), before anything is measured.
    pub fn parse(option: Option<&str>, force: bool) -> Result<Option<JsonOut>> {
        match option {
            None => Ok(None),
            Some("-") => Ok(Some(JsonOut::Stdout)),
            Some(path) => Ok(Some(JsonOut::File(Destination::prepare(
                path, force, "--json",
            )?))),
        }
    }

    pub fn is_stdout(&self) -> bool {
        matches!(self, JsonOut::Stdout)
    }
}

/// Writes a JSON document to standard output or, atomically, to its file.
/// When the file cannot be written, the document is kept elsewhere and the
/// error says where (see [`Destination::write_or_keep`]).
#[cfg(feature = "native")]
pub fn write_json<T: Serialize>(value: &T, out: &JsonOut) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::io(format!("cannot encode JSON: {e}")))?;
    match out {
        JsonOut::Stdout => {
            crate::output::write_document(&format!("{text}\n"));
            Ok(())
        }
        JsonOut::File(destination) => destination.write_or_keep(format!("{text}\n").as_bytes()),
    }
}
