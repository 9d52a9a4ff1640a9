//! JSON Schemas of the documents hashwatt writes, generated from the
//! report types themselves (`schemars`), so they cannot drift from the
//! code. `schemas/` in the repository holds them; a test fails when a file
//! there differs from what the types generate, and
//! `HASHWATT_WRITE_SCHEMAS=1 cargo test --test schemas` rewrites them.

use schemars::{schema_for, Schema};

use super::{BenchAllReport, BenchReport};
use crate::compare::Comparison;

/// Every document: its file name in `schemas/` and its schema.
pub fn documents() -> Vec<(&'static str, Schema)> {
    vec![
        ("bench.schema.json", schema_for!(BenchReport)),
        ("bench-all.schema.json", schema_for!(BenchAllReport)),
        ("compare.schema.json", schema_for!(Comparison)),
    ]
}

/// A schema as the file in `schemas/` holds it.
pub fn render(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema is JSON");
    text.push('\n');
    text
}
