//! One bounded reader for every text file hashwatt takes as input (`--header
//! @FILE`, `verify --headers FILE`, `--kernel FILE.wgsl`, bench results, the
//! tuning cache): it stops after a limit instead of reading `/dev/zero`
//! until memory runs out, refuses a folder, drops a UTF-8 byte-order mark
//! (Windows editors write one), and says where a file is not UTF-8.
//! [`read_attribute`] is its small sibling for the one-line files of sysfs
//! (power meters), whose tree `HASHWATT_POWERCAP_ROOT` and
//! `HASHWATT_DRM_ROOT` can move anywhere.

use std::io::Read;
use std::path::Path;

/// The most any input text file may hold: 64 MiB, about 270,000 header
/// lines with their hashes and heights.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// The text of `path`, at most `limit` bytes, without a leading byte-order
/// mark. The error names `what` and the file, and never holds the file's
/// bytes raw.
pub fn read_text(path: &Path, what: &str, limit: u64) -> Result<String, String> {
    let shown = path.display();
    let fail = |why: &dyn std::fmt::Display| format!("cannot read {what} {shown}: {why}");
    let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(fail(&"it is a folder"));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(&e))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{what} {shown} is larger than {} MiB; hashwatt stops reading there",
            limit >> 20
        ));
    }
    let bytes = bytes
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("{what} {shown} is not UTF-8 text (byte {} is not)", at + 1)
    })
}

/// The most a sysfs attribute holds: one page.
pub const MAX_ATTRIBUTE_BYTES: u64 = 4096;

/// A sysfs attribute (`energy_uj`, `name`, `uevent`): at most
/// [`MAX_ATTRIBUTE_BYTES`], as text. Errors keep their kind (a permission
/// error is told apart by the RAPL meter); more than a page is
/// `InvalidData`.
pub fn read_attribute(path: &Path) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_ATTRIBUTE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_ATTRIBUTE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("more than {MAX_ATTRIBUTE_BYTES} bytes; not a sysfs attribute"),
        ));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_marks_and_encodings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("h.txt");
        std::fs::write(&file, b"\xef\xbb\xbfabc\n").unwrap();
        assert_eq!(read_text(&file, "header file", 100).unwrap(), "abc\n");
        std::fs::write(&file, b"abc\xff\n").unwrap();
        let err = read_text(&file, "header file", 100).unwrap_err();
        assert!(err.contains("not UTF-8 text (byte 4"), "{err}");
        std::fs::write(&file, vec![b'0'; 101]).unwrap();
        let err = read_text(&file, "header file", 100).unwrap_err();
        assert!(err.contains("larger than"), "{err}");
        assert!(read_text(dir.path(), "header file", 100)
            .unwrap_err()
            .contains("folder"));
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_stops_at_the_limit() {
        let err = read_text(Path::new("/dev/zero"), "header file", 1 << 20).unwrap_err();
        assert!(err.contains("larger than 1 MiB"), "{err}");
        let err = read_attribute(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    }
}
