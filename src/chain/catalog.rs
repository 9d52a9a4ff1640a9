//! Real mainnet headers: the embedded, verified set (`data/headers-curated.json`),
//! the `--header` argument (a height, `genesis`, 160 hex characters or `@FILE`)
//! and header files of one header a line.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::chain::header::{BlockHash, BlockHeader};

/// A header with what is known of it: its height, if the source gave one, and
/// the block hash it is expected to have, if the source gave one.
#[derive(Clone, Debug)]
pub struct KnownHeader {
    pub height: Option<u64>,
    pub header: BlockHeader,
    pub expected_hash: Option<BlockHash>,
}

impl KnownHeader {
    pub fn label(&self) -> String {
        match self.height {
            Some(height) => height.to_string(),
            None => format!("{}…", &self.header.block_hash().to_string()[..16]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError(pub String);

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogError {}

const CURATED_JSON: &str = include_str!("../../data/headers-curated.json");

#[derive(Deserialize)]
struct CuratedEntry {
    height: Option<u64>,
    hash: String,
    header: String,
}

/// The 61 embedded mainnet headers, 2009 to 2026, in file order (by height,
/// with the one of unknown height last).
pub fn embedded() -> Vec<KnownHeader> {
    let entries: Vec<CuratedEntry> =
        serde_json::from_str(CURATED_JSON).expect("embedded headers JSON is valid");
    entries
        .into_iter()
        .map(|entry| KnownHeader {
            height: entry.height,
            header: BlockHeader::from_hex(&entry.header).expect("embedded header hex is valid"),
            expected_hash: Some(
                BlockHash::from_display_hex(&entry.hash).expect("embedded hash hex is valid"),
            ),
        })
        .collect()
}

/// The most recent embedded header: what `bench` searches by default.
pub fn latest_embedded() -> KnownHeader {
    embedded()
        .into_iter()
        .filter(|known| known.height.is_some())
        .max_by_key(|known| known.height)
        .expect("embedded set has headers with heights")
}

/// `--header` where one was given, else the most recent embedded header.
pub fn resolve_or_latest(spec: Option<&str>) -> Result<KnownHeader, CatalogError> {
    spec.map_or_else(|| Ok(latest_embedded()), resolve)
}

/// Resolves a `--header` argument.
pub fn resolve(spec: &str) -> Result<KnownHeader, CatalogError> {
    let spec = spec.trim().trim_start_matches('\u{feff}').trim();
    if spec.eq_ignore_ascii_case("genesis") {
        return resolve("0");
    }
    if let Some(path) = spec.strip_prefix('@') {
        let mut headers = read_headers_file(Path::new(path))?;
        return match headers.len() {
            1 => Ok(headers.remove(0)),
            0 => Err(CatalogError(format!("header file {path} holds no header"))),
            n => Err(CatalogError(format!(
                "header file {path} holds {n} headers; --header takes one (use `verify --headers` for many)"
            ))),
        };
    }
    if !spec.is_empty() && spec.len() <= 10 && spec.bytes().all(|b| b.is_ascii_digit()) {
        let height: u64 = spec
            .parse()
            .map_err(|_| CatalogError(format!("bad height {spec}")))?;
        return embedded()
            .into_iter()
            .find(|known| known.height == Some(height))
            .ok_or_else(|| {
                CatalogError(format!(
                    "no embedded header at height {height}; `hashwatt headers` lists them, or give 160 hex characters or @FILE"
                ))
            });
    }
    let header = BlockHeader::from_hex(spec).map_err(|e| {
        CatalogError(format!(
            "--header {}: a serialized header {e}",
            abbreviate(spec)
        ))
    })?;
    Ok(KnownHeader {
        height: None,
        header,
        expected_hash: None,
    })
}

/// What the user wrote, short and safe to print: quoted with control and
/// invisible characters escaped, cut to 20 characters when long.
fn abbreviate(text: &str) -> String {
    if text.chars().count() > 24 {
        let head: String = text.chars().take(20).collect();
        format!(
            "{}…",
            crate::sanitize::sanitize(&format!("{head:?}")).trim_end_matches('"')
        )
    } else {
        crate::sanitize::sanitize(&format!("{text:?}")).into_owned()
    }
}

/// A header file: read through the bounded reader (64 MiB at most, a
/// byte-order mark dropped), then parsed line by line.
pub fn read_headers_file(path: &Path) -> Result<Vec<KnownHeader>, CatalogError> {
    let text = crate::textfile::read_text(path, "header file", crate::textfile::MAX_TEXT_BYTES)
        .map_err(CatalogError)?;
    parse_headers_text(&text).map_err(|e| CatalogError(format!("{}: {}", path.display(), e.0)))
}

/// Parses header lines: a serialized header (160 hex), optionally with its
/// expected block hash (64 hex, display order) and a height (a number or `-`),
/// in any order, separated by white space. `#` starts a comment. The dumps in
/// `tests/data` (`height hash header`) are in this format.
pub fn parse_headers_text(text: &str) -> Result<Vec<KnownHeader>, CatalogError> {
    let mut headers = Vec::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line_number = index + 1;
        let line = raw_line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fail = |why: String| CatalogError(format!("line {line_number}: {why}"));
        let mut header = None;
        let mut expected_hash = None;
        let mut height = None;
        for token in line.split_whitespace() {
            let is_hex = token.bytes().all(|b| b.is_ascii_hexdigit());
            match token.len() {
                160 if is_hex && header.is_none() => {
                    header = Some(BlockHeader::from_hex(token).map_err(|e| fail(e.to_string()))?)
                }
                64 if is_hex && expected_hash.is_none() => {
                    expected_hash =
                        Some(BlockHash::from_display_hex(token).map_err(|e| fail(e.to_string()))?)
                }
                _ if token == "-" && height.is_none() => height = Some(None),
                _ if token.len() <= 10 && token.bytes().all(|b| b.is_ascii_digit()) && height.is_none() => {
                    height = Some(Some(token.parse().map_err(|_| fail(format!("bad height {token}")))?))
                }
                _ => {
                    return Err(fail(format!(
                        "unexpected {}: expected a 160-hex header, optionally a 64-hex block hash and a height",
                        abbreviate(token)
                    )))
                }
            }
        }
        let header =
            header.ok_or_else(|| fail("no 160-hex-character header on this line".into()))?;
        headers.push(KnownHeader {
            height: height.flatten(),
            header,
            expected_hash,
        });
    }
    Ok(headers)
}

impl From<CatalogError> for crate::error::Error {
    fn from(e: CatalogError) -> Self {
        crate::error::Error::input(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_headers_match_their_hashes() {
        let all = embedded();
        assert_eq!(all.len(), 61);
        for known in &all {
            let hash = known.header.block_hash();
            assert_eq!(Some(hash), known.expected_hash, "height {:?}", known.height);
            assert!(hash.meets(&known.header.target().unwrap()));
        }
        assert_eq!(latest_embedded().height, Some(951658));
    }

    #[test]
    fn resolve_forms() {
        assert_eq!(resolve("genesis").unwrap().header.nonce(), 2083236893);
        assert_eq!(resolve("170").unwrap().height, Some(170));
        let hex = embedded()[1].header.to_hex();
        assert_eq!(resolve(&hex).unwrap().header, embedded()[1].header);
        assert!(resolve("7")
            .unwrap_err()
            .0
            .contains("no embedded header at height 7"));
        assert!(resolve("abc")
            .unwrap_err()
            .0
            .contains("must be 160 hex characters"));
        assert!(resolve(&format!("{}zz", &hex[..158]))
            .unwrap_err()
            .0
            .contains("non-hex"));
        assert!(resolve("@/nonexistent/file")
            .unwrap_err()
            .0
            .contains("cannot read"));
        assert_eq!(resolve("\u{feff}170").unwrap().height, Some(170));
        let err = resolve("\u{1b}[31m\u{feff}x").unwrap_err().0;
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{feff}'),
            "{err}"
        );
    }

    #[test]
    fn header_lines_in_any_order_with_comments() {
        let genesis = &embedded()[0];
        let hash = genesis.expected_hash.unwrap().to_string();
        let hex = genesis.header.to_hex();
        let text =
            format!("# comment\n\n{hex}\n{hex} {hash}  # trailing\n0 {hash} {hex}\n- {hex}\n");
        let parsed = parse_headers_text(&text).unwrap();
        assert_eq!(parsed.len(), 4);
        assert_eq!(parsed[0].expected_hash, None);
        assert_eq!(parsed[1].expected_hash, Some(genesis.header.block_hash()));
        assert_eq!(parsed[2].height, Some(0));
        assert_eq!(parsed[3].height, None);
        let err = parse_headers_text(&format!("{hex}\n{hex} nonsense\n")).unwrap_err();
        assert!(err.0.starts_with("line 2:"), "{}", err.0);
        let err = parse_headers_text("12\n").unwrap_err();
        assert!(err.0.contains("line 1: no 160-hex"), "{}", err.0);
    }
}
