//! One child process per GPU family. `RADV_FORCE_FAMILY` (which family
//! RADV pretends to be) and the Vulkan loader's driver list (RADV's
//! manifest alone) are read from the environment, which is the whole
//! process's; so they are set on a child process, hashwatt itself started
//! as `hashwatt radv-worker`, and never in hashwatt's own environment: no
//! other command's choice of device can see them. A driver that crashes
//! takes down the child, not the command.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::protocol::{Reply, Request};

/// The hidden subcommand that runs [`serve_stdio`].
pub const WORKER_COMMAND: &str = "radv-worker";

/// Names a RADV manifest to use instead of searching (a Mesa built
/// elsewhere); a path that does not exist means "RADV is missing".
pub const ICD_ENV: &str = "HASHWATT_RADV_ICD";

/// Where the Vulkan loader looks for driver manifests on Linux, in its
/// order: `$XDG_CONFIG_DIRS`, `/etc`, `$XDG_DATA_HOME`, `$XDG_DATA_DIRS`.
fn manifest_dirs() -> Vec<PathBuf> {
    let env_list = |name: &str, default: &str| -> Vec<PathBuf> {
        let value = std::env::var(name).ok().filter(|v| !v.is_empty());
        value
            .as_deref()
            .unwrap_or(default)
            .split(':')
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect()
    };
    let mut dirs = env_list("XDG_CONFIG_DIRS", "/etc/xdg");
    dirs.push(PathBuf::from("/etc"));
    if let Some(home) = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/share")))
    {
        dirs.push(home);
    }
    dirs.extend(env_list("XDG_DATA_DIRS", "/usr/local/share:/usr/share"));
    dirs.into_iter()
        .map(|d| d.join("vulkan").join("icd.d"))
        .collect()
}

/// RADV's loader manifest (`radeon_icd.<arch>.json`, from Debian's
/// `mesa-vulkan-drivers`), or a one-line reason why there is none.
pub fn radv_manifest() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(ICD_ENV) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "RADV is missing: {ICD_ENV}={} is not a file",
                path.display()
            ))
        };
    }
    if !cfg!(target_os = "linux") {
        return Err(
            "RADV is missing: --isa needs Mesa's RADV Vulkan driver, which runs on Linux".into(),
        );
    }
    let arch = std::env::consts::ARCH;
    let mut generic = None;
    for dir in manifest_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        names.sort();
        for path in names {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == format!("radeon_icd.{arch}.json") {
                return Ok(path);
            }
            if name.starts_with("radeon_icd") && name.ends_with(".json") && generic.is_none() {
                generic = Some(path);
            }
        }
    }
    generic.ok_or_else(|| {
        "RADV is missing: --isa needs Mesa's RADV Vulkan driver (radeon_icd.*.json; \
Debian and Ubuntu: apt install mesa-vulkan-drivers)"
            .into()
    })
}

/// The child's command: `exe radv-worker`, with RADV's family and the
/// loader's driver list in its environment alone.
pub fn command(exe: &Path, manifest: &Path, family: &str) -> Command {
    let mut command = Command::new(exe);
    command
        .arg(WORKER_COMMAND)
        .env("RADV_FORCE_FAMILY", family)
        // The loader's driver list: RADV's manifest only (VK_DRIVER_FILES
        // since loader 1.3.207, VK_ICD_FILENAMES before), nothing added.
        .env("VK_DRIVER_FILES", manifest)
        .env("VK_ICD_FILENAMES", manifest)
        .env_remove("VK_ADD_DRIVER_FILES")
        // Pipelines compiled for their statistics need no disk cache, and
        // the user's cache is left alone.
        .env("MESA_SHADER_CACHE_DISABLE", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    // With RADV_DEBUG set (`shaders` prints every disassembly), the
    // driver's own output is the user's to see.
    if std::env::var_os("RADV_DEBUG").is_some() {
        command.stderr(Stdio::inherit());
    } else {
        command.stderr(Stdio::piped());
    }
    command
}

/// Runs the worker for `family` on `request`; an error is one line.
pub fn run(exe: &Path, manifest: &Path, family: &str, request: &Request) -> Result<Reply, String> {
    let mut child = command(exe, manifest, family)
        .spawn()
        .map_err(|e| format!("could not start {} {WORKER_COMMAND}: {e}", exe.display()))?;
    let body = serde_json::to_vec(request).map_err(|e| e.to_string())?;
    let mut stdin = child.stdin.take().expect("piped");
    // A writer thread: the child may answer before it has read everything.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let out = child.stdout.take().expect("piped");
    let err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut err) = err {
            let _ = err.read_to_end(&mut buf);
        }
        buf
    });
    let _ = { out }.read_to_end(&mut stdout);
    let status = child.wait().map_err(|e| e.to_string())?;
    let _ = writer.join();
    if let Ok(buf) = reader.join() {
        stderr = buf;
    }
    let last_line = || {
        String::from_utf8_lossy(&stderr)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| format!(": {}", l.trim()))
            .unwrap_or_default()
    };
    if !status.success() {
        return Err(match status.code() {
            Some(code) => format!(
                "RADV's worker for {family} exited with status {code}{}",
                last_line()
            ),
            None => format!(
                "RADV crashed compiling for {family} ({status}){}",
                last_line()
            ),
        });
    }
    serde_json::from_slice(&stdout).map_err(|e| {
        format!(
            "RADV's worker for {family} answered no reply ({e}){}",
            last_line()
        )
    })
}

/// `hashwatt radv-worker`: a [`Request`] on standard input, a [`Reply`]
/// on standard output. Returns the exit status.
pub fn serve_stdio() -> i32 {
    let mut body = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut body) {
        crate::errln!("radv-worker: reading the request: {e}");
        return crate::error::exit::IO;
    }
    let request: Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            crate::errln!("radv-worker: not a request: {e}");
            return crate::error::exit::BAD_INPUT;
        }
    };
    let reply = super::radv::serve(&request);
    let text = serde_json::to_string(&reply).expect("a reply is JSON");
    // The reply is a document for the parent, not a line for a person.
    crate::output::write_document(&text);
    if crate::output::stdout_open() {
        crate::error::exit::OK
    } else {
        crate::error::exit::IO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_family_and_driver_list_are_set_on_the_child_only() {
        let before: Vec<_> = std::env::vars_os().collect();
        let command = command(
            Path::new("/bin/true"),
            Path::new("/x/radeon_icd.json"),
            "gfx1100",
        );
        let envs: Vec<(String, Option<String>)> = command
            .get_envs()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.map(|v| v.to_string_lossy().into_owned()),
                )
            })
            .collect();
        let get = |name: &str| envs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        assert_eq!(get("RADV_FORCE_FAMILY"), Some(Some("gfx1100".into())));
        assert_eq!(
            get("VK_DRIVER_FILES"),
            Some(Some("/x/radeon_icd.json".into()))
        );
        assert_eq!(
            get("VK_ICD_FILENAMES"),
            Some(Some("/x/radeon_icd.json".into()))
        );
        assert_eq!(get("VK_ADD_DRIVER_FILES"), Some(None));
        let after: Vec<_> = std::env::vars_os().collect();
        assert_eq!(before, after, "this process's environment is untouched");
    }
}
