//! Output paths checked before a run, against each other and against the
//! file system: so that nothing is measured only to be lost at the end.
//!
//! - [`check_outputs`]: the outputs of one command name different files
//!   (`--json X --plot X` would leave one of them), and none names one of
//!   the command's inputs (`compare a.json b.json --json a.json --force`
//!   would replace a result being compared). Paths are compared after
//!   normalisation: the folder resolved (`./X`, `dir/../X`, a symbolic link
//!   to the folder), and an existing file by its device and inode (a hard
//!   link).
//! - [`check_fits`]: the file name fits the folder's file system
//!   (`NAME_MAX`, from `pathconf(3)`) and the whole path fits `PATH_MAX`,
//!   the temporary file hashwatt writes first included. Where the system
//!   cannot say, POSIX's usual 255 and 4096 bytes are assumed.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The longest name of a temporary file hashwatt writes beside a result
/// (`.` + at most [`TEMP_STEM_BYTES`] of the name + `.` + 6 random + `.tmp`).
pub(super) const TEMP_NAME_BYTES: usize = 1 + TEMP_STEM_BYTES + 1 + 6 + 4;
/// How much of a result's name its temporary file's name repeats.
pub(super) const TEMP_STEM_BYTES: usize = 64;

/// The usual limits, where `pathconf` gives none.
const DEFAULT_NAME_MAX: usize = 255;
const DEFAULT_PATH_MAX: usize = 4096;

/// `NAME_MAX` and `PATH_MAX` of the file system holding `folder`.
pub fn limits(folder: &Path) -> (usize, usize) {
    (
        pathconf(folder, Limit::Name).unwrap_or(DEFAULT_NAME_MAX),
        pathconf(folder, Limit::Path).unwrap_or(DEFAULT_PATH_MAX),
    )
}

enum Limit {
    Name,
    Path,
}

#[cfg(all(unix, feature = "native"))]
fn pathconf(folder: &Path, limit: Limit) -> Option<usize> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok()?;
    let which = match limit {
        Limit::Name => libc::_PC_NAME_MAX,
        Limit::Path => libc::_PC_PATH_MAX,
    };
    // SAFETY: `name` is a NUL-terminated string that outlives the call;
    // pathconf only reads it.
    let value = unsafe { libc::pathconf(name.as_ptr(), which) };
    usize::try_from(value).ok().filter(|&v| v > 0)
}

#[cfg(not(all(unix, feature = "native")))]
fn pathconf(_folder: &Path, _limit: Limit) -> Option<usize> {
    None
}

/// Whether `path` (a file to be created in `folder`) and the temporary
/// file written before it fit the file system's limits; the error names
/// the option, the limit and the length.
pub fn check_fits(path: &Path, folder: &Path, option: &str) -> Result<()> {
    let (name_max, path_max) = limits(folder);
    let name = path.file_name().map_or(0, |n| n.len());
    if name > name_max {
        return Err(Error::input(format!(
            "{option} {}: the file name is {name} bytes; this file system takes at most {name_max} (NAME_MAX)",
            path.display()
        )));
    }
    // The string a system call gets ends in a NUL, which PATH_MAX counts.
    let longest = path
        .as_os_str()
        .len()
        .max(folder.as_os_str().len() + 1 + TEMP_NAME_BYTES)
        + 1;
    if longest > path_max {
        return Err(Error::input(format!(
            "{option} {}: the path is {} bytes; this system takes at most {} (PATH_MAX)",
            path.display(),
            longest - 1,
            path_max - 1
        )));
    }
    Ok(())
}

/// What tells two paths apart: the resolved folder and the name, and for
/// a file that exists its device and inode.
#[derive(PartialEq, Eq)]
struct Identity {
    resolved: Option<PathBuf>,
    inode: Option<(u64, u64)>,
}

fn identity(path: &Path) -> Identity {
    let resolved = match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let folder = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            std::fs::canonicalize(folder).ok().map(|f| f.join(name))
        }
        _ => std::fs::canonicalize(path).ok(),
    };
    Identity {
        resolved,
        inode: inode(path),
    }
}

#[cfg(unix)]
fn inode(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(_path: &Path) -> Option<(u64, u64)> {
    None
}

fn same(a: &Identity, b: &Identity) -> bool {
    (a.resolved.is_some() && a.resolved == b.resolved) || (a.inode.is_some() && a.inode == b.inode)
}

/// The outputs of one command (`(option, path)`) name different files,
/// and none of them names one of its `inputs` (`(what, path)`). Checked
/// before anything runs; the error names both options and the file.
pub fn check_outputs(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<()> {
    let outs: Vec<Identity> = outputs.iter().map(|(_, p)| identity(p)).collect();
    for (i, (option, path)) in outputs.iter().enumerate() {
        for (j, (other, other_path)) in outputs.iter().enumerate().skip(i + 1) {
            if same(&outs[i], &outs[j]) {
                return Err(Error::input(format!(
                    "{option} {} and {other} {} name the same file; give each output its own",
                    path.display(),
                    other_path.display()
                )));
            }
        }
        for (what, input) in inputs {
            if same(&outs[i], &identity(input)) {
                return Err(Error::input(format!(
                    "{option} {} is the {what} {}; an output never replaces an input",
                    path.display(),
                    input.display()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_under_two_names_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let a = dir.path().join("a.json");
        let dotted = sub.join("..").join("a.json");
        check_outputs(&[("--json", &a), ("--plot", &dotted)], &[])
            .expect_err("dir/sub/../a.json is dir/a.json");
        check_outputs(
            &[("--json", &a), ("--plot", &dir.path().join("a.svg"))],
            &[],
        )
        .unwrap();
        std::fs::write(&a, "{}").unwrap();
        let linked = dir.path().join("b.json");
        std::fs::hard_link(&a, &linked).unwrap();
        let err = check_outputs(&[("--json", &linked)], &[("input", &a)]).unwrap_err();
        assert!(
            err.message.contains("never replaces an input"),
            "{}",
            err.message
        );
    }

    #[test]
    fn names_past_the_limits_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (name_max, _) = limits(dir.path());
        let long = dir.path().join("x".repeat(name_max + 1));
        let err = check_fits(&long, dir.path(), "--json").unwrap_err();
        assert!(err.message.contains("NAME_MAX"), "{}", err.message);
        let fits = dir.path().join("x".repeat(name_max));
        check_fits(&fits, dir.path(), "--json").unwrap();
        let deep = dir.path().join("d/".repeat(3000)).join("x");
        let err = check_fits(&deep, dir.path(), "--json").unwrap_err();
        assert!(err.message.contains("PATH_MAX"), "{}", err.message);
    }
}
