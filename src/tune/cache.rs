//! The tuning cache: `tuning.json` in `$HASHWATT_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/hashwatt`, else `~/.cache/hashwatt`, one entry per
//! adapter and driver. It is read like user input: entries no kernel can
//! run are left out with one warning naming the file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::gpu::{DeviceSummary, GpuAdapter, KernelConfig, KernelVariant};
use crate::output::Destination;
use crate::report::KernelReport;

pub const CACHE_SCHEMA: &str = "hashwatt.tuning/1";

/// The fastest settings found for one adapter and driver.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct TunedSettings {
    pub device: DeviceSummary,
    pub hashwatt_version: String,
    pub kernel: KernelReport,
    pub batch_ms: u64,
    /// The rate the winning setting reached during the sweep.
    pub hashes_per_second: f64,
    pub tuned_at: String,
}

impl TunedSettings {
    pub fn kernel_config(&self) -> Option<KernelConfig> {
        Some(KernelConfig {
            variant: KernelVariant::parse(&self.kernel.variant)?,
            workgroup_size: self.kernel.workgroup_size,
            nonces_per_invocation: self.kernel.nonces_per_invocation,
        })
    }

    fn matches(&self, device: &DeviceSummary) -> bool {
        self.device == *device && self.hashwatt_version == env!("CARGO_PKG_VERSION")
    }
}

/// The tuning cache file (`tuning.json`).
#[derive(Serialize, Default, schemars::JsonSchema)]
pub struct CacheFile {
    schema: String,
    entries: Vec<TunedSettings>,
}

pub fn cache_path() -> Option<PathBuf> {
    // An empty variable counts as unset, as the XDG specification says.
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let dir = var("HASHWATT_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("hashwatt")))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache").join("hashwatt")))?;
    Some(dir.join("tuning.json"))
}

/// The longest batch time a cache entry may ask for, in milliseconds.
pub const MAX_CACHED_BATCH_MS: u64 = 10_000;

/// A cache file read as untrusted input: the entries that hold up, and what
/// was wrong with the rest.
#[derive(Debug, Default)]
pub struct CacheContents {
    pub entries: Vec<TunedSettings>,
    pub problems: Vec<String>,
}

/// Parses a tuning cache. Never fails: text that is not JSON, a schema of
/// another version, or an entry with settings no kernel can run (0 nonces
/// per invocation, a workgroup of 0 or over 1024, the reference kernel with
/// more than one nonce per invocation, an unknown variant, a batch time of
/// 0 or over 10 s, a rate that is not a positive number) is left out, and
/// `problems` says why.
pub fn parse_cache(text: &str) -> CacheContents {
    let mut contents = CacheContents::default();
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            contents.problems.push(format!("not valid JSON ({e})"));
            return contents;
        }
    };
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(CACHE_SCHEMA) => {}
        Some(other) => {
            contents
                .problems
                .push(format!("schema {other:?}, not {CACHE_SCHEMA:?}"));
            return contents;
        }
        None => {
            contents.problems.push("no \"schema\" field".into());
            return contents;
        }
    }
    let Some(entries) = value.get("entries").and_then(|e| e.as_array()) else {
        contents.problems.push("no \"entries\" list".into());
        return contents;
    };
    for (index, entry) in entries.iter().enumerate() {
        let checked = serde_json::from_value::<TunedSettings>(entry.clone())
            .map_err(|e| e.to_string())
            .and_then(|settings| settings.check().map(|()| settings));
        match checked {
            Ok(settings) => contents.entries.push(settings),
            Err(why) => contents
                .problems
                .push(format!("entry {}: {why}", index + 1)),
        }
    }
    contents
}

impl TunedSettings {
    /// Whether a kernel can run these settings, as far as can be told
    /// without the adapter (its own limits are checked when it is opened).
    pub fn check(&self) -> std::result::Result<(), String> {
        let config = self.kernel_config().ok_or_else(|| {
            format!(
                "unknown kernel variant {:?} (expected \"fast\" or \"reference\")",
                self.kernel.variant
            )
        })?;
        config.check(crate::gpu::MAX_WORKGROUP_SIZE)?;
        if self.batch_ms == 0 || self.batch_ms > MAX_CACHED_BATCH_MS {
            return Err(format!(
                "batch_ms {} is outside 1..={MAX_CACHED_BATCH_MS}",
                self.batch_ms
            ));
        }
        if !(self.hashes_per_second > 0.0 && self.hashes_per_second.is_finite()) {
            return Err(format!(
                "hashes_per_second {} is not a positive number",
                self.hashes_per_second
            ));
        }
        Ok(())
    }
}

/// The largest tuning cache read: 1 MiB, thousands of entries.
const MAX_CACHE_BYTES: u64 = 1 << 20;

/// The cache's valid entries. A missing file is an empty cache; anything
/// wrong with the file or its entries is said once per run, in one warning
/// line naming the file, and the bad entries are left out (the next `tune`
/// rewrites the file without them).
fn read_cache() -> Vec<TunedSettings> {
    let Some(path) = cache_path() else {
        return Vec::new();
    };
    let Ok(meta) = std::fs::metadata(&path) else {
        return Vec::new();
    };
    // A FIFO or a device there would block or never end: only a file is read.
    let read = if meta.is_file() {
        crate::textfile::read_text(&path, "tuning cache", MAX_CACHE_BYTES)
    } else {
        Err("it is not a regular file".to_string())
    };
    let contents = match read {
        Ok(text) => parse_cache(&text),
        Err(why) => CacheContents {
            entries: Vec::new(),
            problems: vec![why],
        },
    };
    if !contents.problems.is_empty() {
        warn_once(&path, &contents.problems);
    }
    contents.entries
}

/// One warning line per run for a bad cache, however many devices look it up.
fn warn_once(path: &std::path::Path, problems: &[String]) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        const SHOWN: usize = 3;
        let mut listed = problems[..problems.len().min(SHOWN)].join("; ");
        if problems.len() > SHOWN {
            listed.push_str(&format!("; and {} more", problems.len() - SHOWN));
        }
        let line = format!(
            "hashwatt: warning: ignoring what is wrong in the tuning cache {}: {listed}; \
those settings are not used (`hashwatt tune` rewrites the file)",
            path.display()
        );
        errln!("{}", crate::error::sanitize(&line));
    });
}

/// The cached settings for this adapter and driver, if it was tuned.
pub fn lookup(device: &DeviceSummary) -> Option<TunedSettings> {
    read_cache().into_iter().find(|entry| entry.matches(device))
}

/// [`lookup`], and the settings also fit this adapter's own limits (a
/// workgroup the adapter cannot run is ignored with a warning, not blamed
/// on the kernel when it fails to compile).
pub fn lookup_for(adapter: &GpuAdapter) -> Option<TunedSettings> {
    let settings = lookup(&adapter.summary())?;
    let limits = adapter.adapter.limits();
    let max_workgroup = limits
        .max_compute_invocations_per_workgroup
        .min(limits.max_compute_workgroup_size_x);
    match settings.kernel_config()?.check(max_workgroup) {
        Ok(()) => Some(settings),
        Err(why) => {
            if let Some(path) = cache_path() {
                warn_once(
                    &path,
                    &[format!("the entry for {}: {why}", adapter.info.name)],
                );
            }
            None
        }
    }
}

/// Saves the settings, replacing any older entry for the same adapter.
pub fn store(settings: &TunedSettings) -> Result<PathBuf> {
    let path = cache_path()
        .ok_or_else(|| Error::io("no cache directory: set HASHWATT_CACHE_DIR or HOME"))?;
    let mut cache = CacheFile {
        schema: CACHE_SCHEMA.into(),
        entries: read_cache(),
    };
    cache
        .entries
        .retain(|entry| entry.device != settings.device);
    cache.entries.push(settings.clone());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let text = serde_json::to_string_pretty(&cache).map_err(|e| Error::io(e.to_string()))?;
    Destination::owned(&path).write(format!("{text}\n").as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(variant: &str, workgroup: u32, nonces: u32, batch_ms: u64) -> serde_json::Value {
        serde_json::json!({
            "device": {"name": "gpu", "backend": "vulkan", "type": "discrete-gpu", "driver": "d"},
            "hashwatt_version": env!("CARGO_PKG_VERSION"),
            "kernel": {"variant": variant, "workgroup_size": workgroup, "nonces_per_invocation": nonces},
            "batch_ms": batch_ms,
            "hashes_per_second": 1e9,
            "tuned_at": "2026-01-01T00:00:00Z",
        })
    }

    fn cache(entries: Vec<serde_json::Value>) -> String {
        serde_json::json!({"schema": CACHE_SCHEMA, "entries": entries}).to_string()
    }

    #[test]
    fn a_cache_is_read_as_untrusted_input() {
        let good = entry("fast", 256, 4, 250);
        let text = cache(vec![
            good.clone(),
            entry("fast", 256, 0, 250),
            entry("reference", 64, 4, 250),
            entry("turbo", 256, 4, 250),
            entry("fast", 0, 4, 250),
            entry("fast", 4096, 4, 250),
            entry("fast", 256, 4, 0),
            entry("fast", 256, 4, u64::MAX),
            serde_json::json!({"kernel": 5}),
        ]);
        let contents = parse_cache(&text);
        assert_eq!(contents.entries.len(), 1);
        assert_eq!(contents.entries[0].kernel.nonces_per_invocation, 4);
        assert_eq!(contents.problems.len(), 8, "{:?}", contents.problems);
        assert!(contents.problems[0].starts_with("entry 2: nonces per invocation 0"));
        assert!(contents.problems[1].contains("reference kernel hashes 1 nonce"));
        assert!(contents.problems[2].contains("unknown kernel variant"));
        assert!(contents.problems[6].contains("batch_ms"));
    }

    #[test]
    fn a_broken_cache_file_is_one_problem() {
        for text in [
            "",
            "{",
            "null",
            "[]",
            "{\"schema\": 5}",
            "{\"schema\": \"hashwatt.tuning/0\", \"entries\": []}",
            "{\"schema\": \"hashwatt.tuning/1\", \"entries\": 7}",
        ] {
            let contents = parse_cache(text);
            assert!(contents.entries.is_empty(), "{text}");
            assert_eq!(
                contents.problems.len(),
                1,
                "{text}: {:?}",
                contents.problems
            );
        }
    }
}
