//! `hashwatt devices`: what can run a search here.

use crate::cli::DevicesArgs;
use crate::cpu::CpuPath;
use crate::devices::{CpuOptions, DeviceChoice};
use crate::error::{exit, Result};
use crate::report::{self, CpuPathRow, DeviceRow, DevicesReport, JsonOut, DEVICES_SCHEMA};
use crate::sensors::energy::{self, NvmlMode};

fn device_row(select: String, choice: &DeviceChoice, default: bool) -> DeviceRow {
    let (meter, meter_source, meter_unavailable) =
        match energy::meter_for(choice.adapter_info(), None, NvmlMode::PreferCounter) {
            Ok(meter) => (
                Some(meter.name().to_string()),
                Some(meter.source().to_string()),
                None,
            ),
            Err(why) => (None, None, Some(why)),
        };
    DeviceRow {
        select,
        summary: choice.summary(),
        default,
        meter,
        meter_source,
        meter_unavailable,
    }
}

pub fn run(args: &DevicesArgs) -> Result<i32> {
    let json = JsonOut::parse(args.json.as_deref(), args.force)?;
    let adapters = crate::devices::adapters()?;
    // The star: what `bench` runs with no --device, by bench's own choice.
    let best = crate::devices::bench_default(&adapters, false)
        .ok()
        .and_then(|(c, _)| c.into_iter().next());
    let best_index = match &best {
        Some(DeviceChoice::Gpu(adapter)) => Some(adapter.index),
        _ => None,
    };
    let mut rows: Vec<DeviceRow> = adapters
        .iter()
        .map(|a| {
            let choice = DeviceChoice::Gpu(Box::new(a.clone()));
            device_row(a.index.to_string(), &choice, Some(a.index) == best_index)
        })
        .collect();
    let cpu = DeviceChoice::cpu(CpuOptions::default());
    let cpu_default = matches!(best, Some(DeviceChoice::Cpu { .. }));
    rows.push(device_row("cpu".into(), &cpu, cpu_default));

    let best_path = CpuPath::best();
    let cpu_paths: Vec<CpuPathRow> = CpuPath::ALL
        .iter()
        .map(|p| CpuPathRow {
            path: p.name().into(),
            lanes: p.lanes(),
            present: p.available(),
            default: *p == best_path,
            needs: p.needs().into(),
        })
        .collect();
    let document = DevicesReport {
        schema: DEVICES_SCHEMA.into(),
        devices: rows,
        cpu_paths,
    };
    match &json {
        Some(out @ JsonOut::Stdout) => {
            return report::write_json(&document, out).map(|()| exit::OK)
        }
        Some(out @ JsonOut::File(destination)) => {
            print_table(&document, adapters.is_empty());
            report::write_json(&document, out)?;
            outln!("wrote {}", destination.path().display());
        }
        None => print_table(&document, adapters.is_empty()),
    }
    Ok(exit::OK)
}

/// The human table: the devices, the CPU paths, the power meters.
fn print_table(document: &DevicesReport, no_adapter: bool) {
    let rows = &document.devices;
    let best_path = CpuPath::best();
    let name_width = rows
        .iter()
        .map(|r| r.summary.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    outln!(
        "  {:<6} {:<name_width$}  {:<8} {:<14} driver",
        "device",
        "name",
        "backend",
        "type"
    );
    for row in rows {
        let mark = if row.default { "*" } else { " " };
        outln!(
            "{mark} {:<6} {:<name_width$}  {:<8} {:<14} {}",
            row.select,
            row.summary.name,
            row.summary.backend,
            row.summary.device_type,
            row.summary.driver
        );
    }
    outln!();
    outln!("cpu paths (--device cpu --cpu-path PATH):");
    for path in CpuPath::ALL {
        let state = match (path.available(), path == best_path) {
            (true, true) => "present, the default".to_string(),
            (true, false) => "present".to_string(),
            (false, _) => format!("absent: needs {}", path.needs()),
        };
        outln!("  {:<6} {:<32} {state}", path.name(), path.describe());
    }
    outln!();
    outln!("power meters:");
    for row in rows {
        match (&row.meter, &row.meter_source, &row.meter_unavailable) {
            (Some(meter), Some(source), _) => outln!("  {:<6} {meter}: {source}", row.select),
            (_, _, Some(why)) => outln!("  {:<6} none: {why}", row.select),
            _ => {}
        }
    }
    if no_adapter {
        outln!();
        outln!("wgpu found no adapter: install a Vulkan driver (on Debian: apt-get install mesa-vulkan-drivers)");
    }
    outln!();
    outln!("* what `bench` runs when no --device is given");
}
