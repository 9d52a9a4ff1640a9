//! Reading a `verify --json` result back (`hashwatt fleet` reads the one
//! each task of a fleet job wrote): the same bounded reader as every input
//! file, its schema checked by name.

use std::path::Path;

use crate::error::{Error, Result};
use crate::verify::device::{ConformanceReport, SCHEMA as VERIFY_SCHEMA};

/// A verify result holds one row per header: a few hundred kilobytes with
/// a large header file.
const MAX_VERIFY_BYTES: u64 = 16 << 20;

/// Reads one device's `hashwatt verify --json` result, refusing anything
/// else by name: another document, several devices' results, a damaged
/// one, or one too large to be a result.
pub fn read_verify(path: &Path) -> Result<ConformanceReport> {
    let shown = path.display();
    let text = crate::textfile::read_text(path, "verify result", MAX_VERIFY_BYTES)
        .map_err(Error::input)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::input(format!("{shown}: not JSON ({e})")))?;
    if value.is_array() {
        return Err(Error::input(format!(
            "{shown}: the verify results of several devices; read one device's (`hashwatt verify --device D --json`)"
        )));
    }
    let schema = value
        .get("schema")
        .and_then(|s| s.as_str())
        .unwrap_or("none");
    if schema != VERIFY_SCHEMA {
        return Err(Error::input(format!(
            "{shown}: not a hashwatt verify result (schema {:?}, expected {VERIFY_SCHEMA:?}; write one with `hashwatt verify --json`)",
            schema.escape_debug().to_string()
        )));
    }
    serde_json::from_value(value)
        .map_err(|e| Error::input(format!("{shown}: a damaged verify result: {e}")))
}
