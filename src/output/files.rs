//! [`Destination`]: result files, checked before a run and written
//! atomically after it (`tempfile`'s persist). Part of the `native` feature.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::write_document;
use crate::error::{Error, Result};

/// A result file named on the command line (`--json PATH`, `--plot
/// FILE.svg`), checked when the command starts and written at its end.
#[derive(Clone, Debug)]
pub struct Destination {
    path: PathBuf,
    force: bool,
}

impl Destination {
    /// Checks now what would make the final write fail, so a run is never
    /// measured only to be thrown away: the name is not empty; an existing
    /// file is a regular file and `force` is given (a device node, a folder
    /// or a link is never replaced); the folder exists and a file can be
    /// created in it.
    pub fn prepare(path: impl AsRef<Path>, force: bool, option: &str) -> Result<Self> {
        let path = path.as_ref();
        if path.as_os_str().is_empty() {
            return Err(Error::input(format!(
                "{option} needs a file name, got \"\""
            )));
        }
        let shown = path.display();
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::input(format!(
                    "{option} {shown} is a symbolic link; name the file itself"
                )))
            }
            Ok(meta) if !meta.is_file() => {
                return Err(Error::input(format!(
                    "{option} {shown} exists and is not a regular file; it is never replaced"
                )))
            }
            Ok(_) if !force => {
                return Err(Error::input(format!(
                    "{option} {shown} exists; pass --force to replace it"
                )))
            }
            _ => {}
        }
        let destination = Destination {
            path: path.to_path_buf(),
            force,
        };
        let folder = destination.folder();
        // First: past PATH_MAX, the folder could not even be looked up.
        super::names::check_fits(path, &folder, option)?;
        if !folder.is_dir() {
            return Err(Error::input(format!(
                "{option} {shown}: the folder {} does not exist",
                folder.display()
            )));
        }
        tempfile::Builder::new()
            .prefix(".hashwatt-probe")
            .tempfile_in(&folder)
            .map_err(|e| {
                Error::input(format!(
                    "{option} {shown}: cannot create a file in {}: {e}",
                    folder.display()
                ))
            })?;
        Ok(destination)
    }

    /// A file hashwatt owns (the tuning cache): replaced without asking,
    /// still atomically and still only when it is a regular file.
    pub fn owned(path: impl Into<PathBuf>) -> Self {
        Destination {
            path: path.into(),
            force: true,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn folder(&self) -> PathBuf {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Writes `contents` atomically: a temporary file in the same folder,
    /// flushed to disk, then renamed over the path. A reader never sees half
    /// a file, and a failure leaves no temporary file behind. Without
    /// `force`, a file that appeared since [`Destination::prepare`] is not
    /// replaced.
    pub fn write(&self, contents: &[u8]) -> Result<()> {
        let fail =
            |e: &dyn fmt::Display| Error::io(format!("cannot write {}: {e}", self.path.display()));
        let name = stem(&self.path, "");
        let mut file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(self.folder())
            .map_err(|e| fail(&e))?;
        file.write_all(contents)
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| fail(&e))?;
        // tempfile creates files readable by their owner alone; a result is
        // shared like any file: keep the mode of the file it replaces, else
        // the usual rw-r--r--.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&self.path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0o644);
            file.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(|e| fail(&e))?;
        }
        if self.force {
            if let Ok(meta) = std::fs::symlink_metadata(&self.path) {
                if !meta.is_file() {
                    return Err(fail(&"it is no longer a regular file; not replaced"));
                }
            }
            file.persist(&self.path).map_err(|e| fail(&e.error))?;
        } else {
            file.persist_noclobber(&self.path).map_err(|e| {
                if e.error.kind() == io::ErrorKind::AlreadyExists {
                    fail(&"another file appeared there during the run; pass --force to replace it")
                } else {
                    fail(&e.error)
                }
            })?;
        }
        Ok(())
    }

    /// Writes `contents`, and when that fails keeps them anyway: in a
    /// fallback file in the system's temporary folder, or on standard
    /// output as a last resort. The error returned (exit 4) says where the
    /// contents went, so a measurement is never lost.
    pub fn write_or_keep(&self, contents: &[u8]) -> Result<()> {
        let Err(error) = self.write(contents) else {
            return Ok(());
        };
        let name = stem(&self.path, "result");
        let kept = tempfile::Builder::new()
            .prefix(&format!("hashwatt-{name}."))
            .tempfile()
            .and_then(|mut f| {
                f.write_all(contents)?;
                f.keep().map(|(_, path)| path).map_err(|e| e.error)
            });
        match kept {
            Ok(path) => Err(Error::io(format!(
                "{error}; the result was saved to {} instead",
                path.display()
            ))),
            Err(_) => {
                write_document(&String::from_utf8_lossy(contents));
                Err(Error::io(format!(
                    "{error}; the result was printed on standard output instead"
                )))
            }
        }
    }
}

/// The start of a result's file name (at most
/// [`TEMP_STEM_BYTES`](super::names::TEMP_STEM_BYTES), cut at a character),
/// for the name of a temporary file: a name that fits the file system
/// still does with the temporary file's additions.
fn stem(path: &Path, default: &str) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| default.into());
    let mut cut = name.len().min(super::names::TEMP_STEM_BYTES);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    name[..cut].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_checked_before_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("run.json");
        let fresh = Destination::prepare(&file, false, "--json").unwrap();
        fresh.write(b"{}\n").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"{}\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644, "a result is readable like any file");
        }
        // Exists: refused without force, replaced with it.
        let err = Destination::prepare(&file, false, "--json").unwrap_err();
        assert!(err.message.contains("--force"), "{}", err.message);
        Destination::prepare(&file, true, "--json")
            .unwrap()
            .write(b"[]\n")
            .unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"[]\n");
        // Never a folder, a missing folder or an empty name.
        assert!(Destination::prepare(dir.path(), true, "--json").is_err());
        assert!(Destination::prepare(dir.path().join("no/such.json"), true, "--json").is_err());
        assert!(Destination::prepare("", true, "--json").is_err());
        // No probe or temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("run.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        assert!(Destination::prepare(&link, true, "--json").is_err());
        assert!(Destination::prepare("/dev/null", true, "--json").is_err());
    }

    #[test]
    fn a_file_that_appears_during_the_run_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("run.json");
        let destination = Destination::prepare(&file, false, "--json").unwrap();
        std::fs::write(&file, "theirs").unwrap();
        let err = destination.write_or_keep(b"ours").unwrap_err();
        assert_eq!(std::fs::read(&file).unwrap(), b"theirs");
        let saved = err.message.split("saved to ").nth(1).unwrap();
        let saved = saved.trim_end_matches(" instead");
        assert_eq!(std::fs::read(saved).unwrap(), b"ours");
        std::fs::remove_file(saved).unwrap();
    }
}
