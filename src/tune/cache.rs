//! The tuning cache: `tuning.json` in `$HASHWATT_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/hashwatt`, else `~/.cache/hashwatt`, one entry per
//! adapter and driver. It is read like user input: entries no kernel can
//! run are left out with one warning naming the file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::gpu::{DeviceSummary, GpuAdapter};
use crate::kernel::{KernelConfig, KernelVariant};
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

/// Where the cache lives: `$HASHWATT_CACHE_DIR/tuning.json`, else
/// `$XDG_CACHE_HOME/hashwatt/tuning.json`, else
/// `$HOME/.cache/hashwatt/tuning.json`. As the XDG Base Directory
/// specification says, an `XDG_CACHE_HOME` that is empty or relative is
/// ignored (a relative one would put the cache wherever the command
/// happens to run).
pub fn cache_path() -> Option<PathBuf> {
    cache_path_from(|name| std::env::var_os(name))
}

/// [`cache_path`] with the environment read through `env`.
fn cache_path_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let xdg = var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute());
    let dir = var("HASHWATT_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| xdg.map(|d| d.join("hashwatt")))
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
        config.check(crate::kernel::MAX_WORKGROUP_SIZE)?;
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
    match cache_path() {
        Some(path) => read_cache_at(&path),
        None => Vec::new(),
    }
}

/// [`read_cache`] of the cache file at `path`.
fn read_cache_at(path: &Path) -> Vec<TunedSettings> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Vec::new();
    };
    // A FIFO or a device there would block or never end: only a file is read.
    let read = if meta.is_file() {
        crate::textfile::read_text(path, "tuning cache", MAX_CACHE_BYTES)
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
        warn_once(path, &contents.problems);
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
        errln!("{line}");
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

/// The cache file, checked before a sweep so that a sweep is never run
/// only to find that its result cannot be kept: a cache folder is known
/// (else exit 4), it exists or is made now, a file can be created in it,
/// the names fit the file system, and `tuning.json`, if there, is a
/// regular file.
pub fn prepare_store() -> Result<PathBuf> {
    let path = cache_path()
        .ok_or_else(|| Error::io("no cache directory: set HASHWATT_CACHE_DIR or HOME"))?;
    let dir = folder_of(&path);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    crate::output::names::check_fits(&path, &dir, "the tuning cache")
        .map_err(|e| Error::io(e.message))?;
    if let Ok(meta) = std::fs::symlink_metadata(&path) {
        if !meta.is_file() {
            return Err(Error::io(format!(
                "the tuning cache {} is not a regular file; it is never replaced",
                path.display()
            )));
        }
    }
    tempfile::Builder::new()
        .prefix(".hashwatt-probe")
        .tempfile_in(&dir)
        .map_err(|e| {
            Error::io(format!(
                "cannot write the tuning cache in {}: {e}",
                dir.display()
            ))
        })?;
    Ok(path)
}

/// Saves the settings, replacing any older entry for the same adapter.
pub fn store(settings: &TunedSettings) -> Result<PathBuf> {
    let path = prepare_store()?;
    store_in(&path, settings)?;
    Ok(path)
}

/// Saves the settings in the cache file at `path`, under an advisory lock
/// (`flock(2)` through fs4 on `tuning.lock` beside it, a file never
/// replaced): two tunes that finish together each read, merge and write
/// in turn, and neither loses the other's entry. Readers take no lock: the
/// file is only ever replaced whole, by a rename.
pub fn store_in(path: &Path, settings: &TunedSettings) -> Result<()> {
    update_in(path, |entries| {
        entries.retain(|entry| entry.device != settings.device);
        entries.push(settings.clone());
        true
    })
    .map(|_| ())
}

/// What a `tune` did to the cache.
#[derive(Clone, Debug, PartialEq)]
pub enum CacheChange {
    /// The tuned setting was saved in this file.
    Stored(PathBuf),
    /// The default stays, and this earlier entry for the adapter was
    /// removed from the file, so `bench` runs the default.
    Removed(PathBuf, Box<TunedSettings>),
    /// The default stays and there was nothing to remove: the file was
    /// neither written nor created.
    Unchanged,
}

/// The sweep's decision applied to the cache: the tuned setting stored,
/// or, when the default stays (`None`), any entry for `device` removed.
pub fn settle(device: &DeviceSummary, tuned: Option<&TunedSettings>) -> Result<CacheChange> {
    let path = prepare_store()?;
    settle_in(&path, device, tuned)
}

/// [`settle`] on the cache file at `path`. The file is written only when
/// an entry is stored or removed.
pub fn settle_in(
    path: &Path,
    device: &DeviceSummary,
    tuned: Option<&TunedSettings>,
) -> Result<CacheChange> {
    if let Some(settings) = tuned {
        store_in(path, settings)?;
        return Ok(CacheChange::Stored(path.to_path_buf()));
    }
    // Nothing to remove (no file, or no entry for the device): the file is
    // left as it is, and no lock file is made beside it.
    if !read_cache_at(path)
        .iter()
        .any(|entry| entry.device == *device)
    {
        return Ok(CacheChange::Unchanged);
    }
    let mut removed = None;
    update_in(path, |entries| {
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(entries)
            .into_iter()
            .partition(|entry| entry.device == *device);
        *entries = kept;
        removed = gone.into_iter().next();
        removed.is_some()
    })?;
    Ok(match removed {
        Some(entry) => CacheChange::Removed(path.to_path_buf(), Box::new(entry)),
        None => CacheChange::Unchanged,
    })
}

/// Reads the cache at `path` under its lock, lets `change` edit the
/// entries, and writes the file back if `change` says it changed them.
fn update_in(path: &Path, change: impl FnOnce(&mut Vec<TunedSettings>) -> bool) -> Result<bool> {
    let dir = folder_of(path);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    let lock_path = path.with_extension("lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io(format!("cannot open {}: {e}", lock_path.display())))?;
    fs4::FileExt::lock(&lock)
        .map_err(|e| Error::io(format!("cannot lock {}: {e}", lock_path.display())))?;
    let mut cache = CacheFile {
        schema: CACHE_SCHEMA.into(),
        entries: read_cache_at(path),
    };
    if !change(&mut cache.entries) {
        return Ok(false);
    }
    let text = serde_json::to_string_pretty(&cache).map_err(|e| Error::io(e.to_string()))?;
    let written = Destination::owned(path).write(format!("{text}\n").as_bytes());
    // Closing the file releases the lock; said here, after the write.
    drop(lock);
    written.map(|()| true)
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
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

    #[test]
    fn a_relative_xdg_cache_home_is_ignored() {
        let path = |vars: &[(&str, &str)]| {
            cache_path_from(|name| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            })
        };
        let home = Some(PathBuf::from("/home/u/.cache/hashwatt/tuning.json"));
        assert_eq!(
            path(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "/c")]),
            Some(PathBuf::from("/c/hashwatt/tuning.json"))
        );
        for xdg in ["", "rel", "./c", "../c"] {
            let found = path(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", xdg)]);
            assert_eq!(found, home, "XDG_CACHE_HOME={xdg:?}");
        }
        // hashwatt's own variable is taken as given.
        assert_eq!(
            path(&[("HASHWATT_CACHE_DIR", "here"), ("HOME", "/home/u")]),
            Some(PathBuf::from("here/tuning.json"))
        );
        assert_eq!(path(&[]), None);
    }

    /// The default staying leaves a cache without an entry for the device
    /// byte for byte as it was (and creates none where there is none); an
    /// earlier entry for the device is removed, the others kept; a tuned
    /// setting replaces the device's entry.
    #[test]
    fn settling_on_the_default_touches_only_the_devices_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tuning.json");
        let named = |name: &str| -> TunedSettings {
            let mut value = entry("fast", 64, 2, 100);
            value["device"]["name"] = name.into();
            serde_json::from_value(value).unwrap()
        };
        let (this, other) = (named("this gpu"), named("other gpu"));
        assert_eq!(
            settle_in(&path, &this.device, None).unwrap(),
            CacheChange::Unchanged
        );
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());

        store_in(&path, &other).unwrap();
        let before = std::fs::read(&path).unwrap();
        assert_eq!(
            settle_in(&path, &this.device, None).unwrap(),
            CacheChange::Unchanged
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);

        store_in(&path, &this).unwrap();
        assert_eq!(
            settle_in(&path, &this.device, None).unwrap(),
            CacheChange::Removed(path.clone(), Box::new(this.clone()))
        );
        let left = parse_cache(&std::fs::read_to_string(&path).unwrap()).entries;
        assert_eq!(left, vec![other.clone()]);

        let tuned = TunedSettings {
            batch_ms: 250,
            ..this.clone()
        };
        assert_eq!(
            settle_in(&path, &this.device, Some(&tuned)).unwrap(),
            CacheChange::Stored(path.clone())
        );
        let left = parse_cache(&std::fs::read_to_string(&path).unwrap()).entries;
        assert_eq!(left, vec![other, tuned]);
    }

    /// Tunes that finish together: 6 threads each store 5 entries of their
    /// own into one cache file, each through the whole read, merge and
    /// write. Every entry is there at the end. (Without the lock in
    /// `store_in`, entries are lost: read-merge-write races.)
    #[test]
    fn concurrent_stores_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tuning.json");
        let settings = |thread: usize, n: usize| -> TunedSettings {
            let mut value = entry("fast", 256, 4, 250);
            value["device"]["name"] = format!("gpu {thread}.{n}").into();
            serde_json::from_value(value).unwrap()
        };
        std::thread::scope(|scope| {
            for thread in 0..6 {
                let path = &path;
                scope.spawn(move || {
                    for n in 0..5 {
                        store_in(path, &settings(thread, n)).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&path).unwrap();
        let contents = parse_cache(&text);
        assert!(contents.problems.is_empty(), "{:?}", contents.problems);
        let mut names: Vec<String> = contents
            .entries
            .iter()
            .map(|e| e.device.name.clone())
            .collect();
        names.sort();
        assert_eq!(names.len(), 30, "{names:?}");
        names.dedup();
        assert_eq!(names.len(), 30, "{names:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "tuning.json" && n != "tuning.lock")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
