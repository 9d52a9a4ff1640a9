//! JSON Schemas of every document the commands write, generated from the
//! types that write them (`schemars`), so they cannot drift from the code.
//! `schemas/` in the repository holds them; a test fails when a file there
//! differs from what the types generate, and
//! `HASHWATT_WRITE_SCHEMAS=1 cargo test --test bench_trust` rewrites them.

use schemars::{schema_for, Schema};

use crate::fleet::{FleetReport, TaskRecord};
use crate::kernel::cost::isa::KernelIsaReport;
use crate::kernel::cost::KernelCostReport;
use crate::report::compare::Comparison;
use crate::report::{BenchAllReport, BenchReport, DevicesReport, HeadersReport, SearchReport};
use crate::site::model::Estimate;
use crate::tune::{TuneReport, TuningCache};
use crate::verify::device::ConformanceReport;
use crate::verify::suite::{DigestReport, KernelSuiteReport};

/// Every document: its file name in `schemas/` and its schema.
pub fn documents() -> Vec<(&'static str, Schema)> {
    vec![
        ("bench.schema.json", schema_for!(BenchReport)),
        ("bench-all.schema.json", schema_for!(BenchAllReport)),
        ("compare.schema.json", schema_for!(Comparison)),
        ("estimate.schema.json", schema_for!(Estimate)),
        ("verify.schema.json", schema_for!(KernelSuiteReport)),
        ("verify-device.schema.json", schema_for!(ConformanceReport)),
        ("verify-digest.schema.json", schema_for!(DigestReport)),
        ("tune.schema.json", schema_for!(TuneReport)),
        ("tuning-cache.schema.json", schema_for!(TuningCache)),
        ("devices.schema.json", schema_for!(DevicesReport)),
        ("headers.schema.json", schema_for!(HeadersReport)),
        ("search.schema.json", schema_for!(SearchReport)),
        ("kernel-cost.schema.json", schema_for!(KernelCostReport)),
        ("kernel-isa.schema.json", schema_for!(KernelIsaReport)),
        ("fleet.schema.json", schema_for!(FleetReport)),
        ("fleet-task.schema.json", schema_for!(TaskRecord)),
    ]
}

/// A schema as the file in `schemas/` holds it.
pub fn render(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema is JSON");
    text.push('\n');
    text
}
