//! Which kernel settings `hashwatt bench` runs on a device, and why: a
//! `--kernel` file as written, the CPU device, `--kernel reference`, a
//! fresh sweep with `--tune`, the tuning cache, or the defaults.

use crate::bench;
use crate::chain::catalog::KnownHeader;
use crate::cli::BenchArgs;
use crate::devices::DeviceChoice;
use crate::error::{Error, Result};
use crate::kernel::{KernelConfig, KernelVariant};
use crate::tune::{self, SweepPlan};

/// Kernel settings for one device and where they came from.
pub(super) struct Settings {
    pub kernel: KernelConfig,
    pub batch_ms: u64,
    pub source: &'static str,
    pub note: String,
}

/// The kernel settings: `--kernel reference` as asked; else a fresh sweep
/// with `--tune`; else the tuning cache; else the defaults.
pub(super) fn settings_for(
    choice: &DeviceChoice,
    args: &BenchArgs,
    variant: Option<KernelVariant>,
    known: &KnownHeader,
    human: bool,
) -> Result<Settings> {
    let batch_ms = |default: u64| args.batch_ms.unwrap_or(default);
    if let Some(user @ KernelVariant::User(source)) = variant {
        if args.tune {
            return Err(Error::input(
                "--tune sweeps hashwatt's fast kernel, not a --kernel file",
            ));
        }
        if choice.is_cpu_device() {
            return Err(Error::device(
                "--kernel FILE.wgsl runs on a GPU adapter (lavapipe will do), not the CPU device",
            ));
        }
        let kernel = KernelConfig::for_variant(user);
        return Ok(Settings {
            kernel,
            batch_ms: batch_ms(250),
            source: "user",
            note: format!(
                "{kernel}, a kernel file (prove it with `{}`)",
                crate::commands::kernel_file::verify_command(source)
            ),
        });
    }
    let DeviceChoice::Gpu(adapter) = choice else {
        return Ok(Settings {
            kernel: KernelConfig::fast(),
            batch_ms: batch_ms(bench::DEFAULT_BATCH_MS),
            source: "cpu",
            note: choice.summary().driver,
        });
    };
    if variant == Some(KernelVariant::Reference) {
        return Ok(Settings {
            kernel: KernelConfig::reference(),
            batch_ms: batch_ms(bench::DEFAULT_BATCH_MS),
            source: "default",
            note: "reference kernel (the plain yardstick)".into(),
        });
    }
    if args.tune {
        let plan = SweepPlan::default();
        if human {
            errln!(
                "tuning {} first (hashwatt tune: at most {} settings, {} s)…",
                adapter.info.name,
                plan.max_settings,
                plan.max_seconds
            );
        }
        let (sweep, tuned) = tune::sweep(adapter, known, &plan)?;
        let change = tune::settle(&adapter.summary(), tuned.as_ref())?;
        if let (Some(tuned), tune::CacheChange::Stored(path)) = (tuned, &change) {
            let kernel = tuned
                .kernel_config()
                .expect("a sweep yields a known variant");
            return Ok(Settings {
                kernel,
                batch_ms: batch_ms(tuned.batch_ms),
                source: "tuned",
                note: format!("{kernel}, just tuned (saved to {})", path.display()),
            });
        }
        // Nothing beat the default beyond the spread: it stays.
        let kernel = KernelConfig::fast();
        let why = sweep
            .decision
            .as_ref()
            .map_or(String::new(), |d| format!(": {}", d.reason));
        return Ok(Settings {
            kernel,
            batch_ms: batch_ms(bench::DEFAULT_BATCH_MS),
            source: "default",
            note: format!("{kernel}, the default: just tuned, and nothing beat it{why}"),
        });
    }
    if let Some(tuned) = tune::lookup_for(adapter) {
        if let Some(kernel) = tuned.kernel_config() {
            return Ok(Settings {
                kernel,
                batch_ms: batch_ms(tuned.batch_ms),
                source: "tuned",
                note: format!("{kernel}, tuned {}", tuned.tuned_at),
            });
        }
    }
    let kernel = KernelConfig::fast();
    Ok(Settings {
        kernel,
        batch_ms: batch_ms(bench::DEFAULT_BATCH_MS),
        source: "default",
        note: format!("{kernel}, untuned defaults (`hashwatt tune` may be faster)"),
    })
}
