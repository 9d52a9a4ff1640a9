//! Headless Chromium for the browser test: found, started in a process
//! group of its own with a throwaway profile, and killed with that whole
//! group when the guard drops, so a failing test never leaves a browser
//! behind.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The browsers tried, in order, when `HASHWATT_CHROMIUM` names none.
/// Debian's `/usr/bin/chromium` is a shell wrapper that does not `exec`:
/// killing it would orphan the browser, so the binaries are called directly.
pub const CANDIDATES: &[&str] = &[
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/lib/chromium/chromium",
];

/// The browser binary to run: `HASHWATT_CHROMIUM`, else the first candidate present.
pub fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("HASHWATT_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// The command-line flags. `--enable-unsafe-webgpu` is the one that matters:
/// without it Chromium blocklists CPU adapters and `requestAdapter()`
/// returns null. Nothing here selects a Vulkan driver: Chromium's own
/// SwiftShader serves WebGPU on a machine without a GPU.
pub fn flags(binary: &Path, profile: &Path) -> Vec<String> {
    let mut flags = Vec::new();
    let is_shell = binary
        .file_name()
        .is_some_and(|n| n.to_string_lossy().contains("headless-shell"));
    if !is_shell {
        flags.push("--headless=new".to_string());
    }
    flags.extend(
        [
            "--enable-unsafe-webgpu",
            "--no-sandbox",
            // Containers often give /dev/shm only 64 MB; shared memory then
            // goes to /tmp instead.
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--mute-audio",
            "--hide-scrollbars",
            "--window-size=1100,800",
            "--remote-debugging-port=0",
        ]
        .map(String::from),
    );
    flags.push(format!("--user-data-dir={}", profile.display()));
    flags.push("about:blank".to_string());
    flags
}

/// A running browser. Dropping it kills its process group and reaps it.
pub struct Browser {
    child: Child,
    /// The profile folder; removed after the browser is gone.
    profile: Option<tempfile::TempDir>,
    pub binary: PathBuf,
    stderr_path: PathBuf,
}

impl Browser {
    /// Starts `binary` headless and waits (up to `timeout`) for its DevTools
    /// endpoint; returns the browser and the endpoint's websocket URL.
    pub fn launch(binary: &Path, timeout: Duration) -> Result<(Browser, String), String> {
        let profile = tempfile::Builder::new()
            .prefix("hashwatt-chromium-")
            .tempdir()
            .map_err(|e| format!("cannot make a browser profile folder: {e}"))?;
        let stderr_path = profile.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path)
            .map_err(|e| format!("cannot create {}: {e}", stderr_path.display()))?;
        let child = Command::new(binary)
            .args(flags(binary, profile.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            // Its own process group: the guard kills the browser and every
            // process it started (GPU, renderer, zygote) with one signal.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut browser = Browser {
            child,
            profile: Some(profile),
            binary: binary.to_path_buf(),
            stderr_path,
        };
        let endpoint = browser.devtools_endpoint(timeout)?;
        Ok((browser, endpoint))
    }

    /// Reads `<profile>/DevToolsActivePort`: the port, then the browser's path.
    fn devtools_endpoint(&mut self, timeout: Duration) -> Result<String, String> {
        let file = self.profile_path().join("DevToolsActivePort");
        let start = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    if port.trim().parse::<u16>().is_ok() && path.starts_with('/') {
                        return Ok(format!("ws://127.0.0.1:{}{}", port.trim(), path.trim()));
                    }
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited ({status}) before opening its DevTools port; its standard error:\n{}",
                    self.binary.display(),
                    self.stderr_tail()
                ));
            }
            if start.elapsed() > timeout {
                return Err(format!(
                    "{} did not write {} within {} s; its standard error:\n{}",
                    self.binary.display(),
                    file.display(),
                    timeout.as_secs(),
                    self.stderr_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn profile_path(&self) -> &Path {
        self.profile
            .as_ref()
            .expect("profile kept until drop")
            .path()
    }

    /// The browser's process id, which is also its process group's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines the browser wrote to standard error.
    pub fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.stderr_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals that process group; the
        // group is the one this guard created, led by a child not yet reaped
        // (so its id cannot have been reused).
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
        // Children of the group outlive their leader by a moment: wait until
        // the group is empty before removing the profile they write to.
        let start = Instant::now();
        // SAFETY: signal 0 only checks whether any process of the group exists.
        while unsafe { libc::kill(-group, 0) } == 0 && start.elapsed() < Duration::from_secs(5) {
            // SAFETY: as above; the group is still ours.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(self.profile.take());
    }
}
