//! The page's checks, on real mainnet data, each against sha2 in wasm:
//! the genesis block found in a window of nonces, the embedded headers'
//! block hashes and nonce windows, and digests of random nonces. The same
//! checks as `hashwatt verify`: the window, the real-block check, the
//! digest check and the random digests are `hashwatt::verify::checks`, the
//! code the native command calls; only the searching is awaited here
//! instead of blocking. Every hit goes through `hits::verify`.

use hashwatt::chain::catalog::{self, KnownHeader};
use hashwatt::chain::header::BlockHeader;
use hashwatt::chain::target::Target;
use hashwatt::error::{Error, Result};
use hashwatt::gpu::GpuSearcher;
use hashwatt::search::{AsyncSearcher, Batch, Searcher};
use hashwatt::verify::checks::{self, WindowCheck};
use hashwatt::verify::device::ConformanceOptions;
use hashwatt::verify::hits::{self, VerifiedHit};
use serde::Serialize;

/// The largest batch a window search submits.
const WINDOW_BATCH: u64 = 1 << 20;

/// Every hit in `start..start + count` at `target`, each verified with sha2.
pub async fn search_window(
    searcher: &mut GpuSearcher,
    header: &BlockHeader,
    start: u32,
    count: u64,
    target: Target,
) -> Result<Vec<VerifiedHit>> {
    let end = start as u64 + count;
    let mut next = start as u64;
    let mut found = Vec::new();
    loop {
        while next < end && searcher.in_flight() < searcher.depth() {
            let size = WINDOW_BATCH.min(end - next);
            searcher.submit(Batch::new(*header, next as u32, size, target))?;
            next += size;
        }
        match searcher.wait_oldest_async().await? {
            Some(result) => found.extend(hits::verify(searcher, &result)?),
            None => break,
        }
    }
    found.sort_by_key(|h| h.nonce);
    Ok(found)
}

#[derive(Serialize)]
pub struct Genesis {
    pub nonce: u32,
    pub hash: String,
    /// sha2 confirmed it, and it meets the genesis header's own target.
    pub verified: bool,
    pub start: u32,
    pub count: u64,
    pub hits: usize,
}

/// Searches 2^16 nonces around the genesis block's nonce at its own
/// target: the GPU must find 2083236893, and sha2 must agree.
pub async fn genesis(searcher: &mut GpuSearcher) -> Result<Genesis> {
    let known = catalog::resolve("genesis").map_err(|e| Error::input(e.to_string()))?;
    let header = known.header;
    let target = header.target()?;
    let (start, count) = checks::window_around(header.nonce(), 1 << 16);
    let hits = search_window(searcher, &header, start, count, target).await?;
    let found = hits.iter().find(|h| h.meets_header_target).ok_or_else(|| {
        Error::check_failed(format!(
            "the genesis window {start}..{} gave no block (hits: {})",
            start as u64 + count,
            hits.len()
        ))
    })?;
    Ok(Genesis {
        nonce: found.nonce,
        hash: found.hash.clone(),
        verified: found.nonce == header.nonce()
            && known
                .expected_hash
                .is_none_or(|e| e.to_string() == found.hash),
        start,
        count,
        hits: hits.len(),
    })
}

/// One row of the page's table: a header (its block hash and its nonce
/// window), or the random digests.
#[derive(Serialize)]
pub struct Row {
    pub check: String,
    pub detail: String,
    pub passed: bool,
}

#[derive(Serialize)]
pub struct Verify {
    pub passed: bool,
    pub rows: Vec<Row>,
}

/// `hashwatt verify` on the page: per embedded header, the GPU's block
/// hash against sha2's and the expected one, and the real nonce found in
/// a window at the header's target; then digests of random nonces.
pub async fn verify(searcher: &mut GpuSearcher, mut on_row: impl FnMut(&Row)) -> Result<Verify> {
    let options = ConformanceOptions::default();
    let headers: Vec<KnownHeader> = catalog::embedded();
    let raw: Vec<BlockHeader> = headers.iter().map(|k| k.header).collect();
    let device = searcher.digests_async(&raw).await?;
    let mut rows = Vec::new();
    let mut push = |row: Row, rows: &mut Vec<Row>| {
        on_row(&row);
        rows.push(row);
    };
    for (known, device_hash) in headers.iter().zip(device) {
        let sha2_hash = known.header.block_hash();
        let digest_ok = checks::digest_problems(known, device_hash).is_empty();
        let target = known.header.target()?;
        let (start, count) = checks::window_around(known.header.nonce(), options.window);
        let hits = search_window(searcher, &known.header, start, count, target).await?;
        let nonces: Vec<u32> = hits.iter().map(|h| h.nonce).collect();
        let found = WindowCheck::judge(&known.header, start, count, &nonces).found;
        let digest = if digest_ok {
            format!("block hash {sha2_hash}: GPU = sha2 = expected")
        } else {
            format!("GPU block hash {device_hash}, sha2 {sha2_hash}")
        };
        push(
            Row {
                check: known
                    .height
                    .map_or(known.label(), |h| format!("height {h}")),
                detail: format!(
                    "{digest}; nonce {} {} among {} hit(s) in nonces {start}..{}",
                    known.header.nonce(),
                    if found { "found" } else { "NOT found" },
                    hits.len(),
                    start as u64 + count,
                ),
                passed: digest_ok && found,
            },
            &mut rows,
        );
    }
    let random_headers = checks::random_nonce_headers(&raw, options.random_digests, options.seed);
    let device = searcher.digests_async(&random_headers).await?;
    let equal = random_headers.len() - checks::digest_mismatches(&random_headers, &device).len();
    push(
        Row {
            check: "random nonces: GPU digest vs sha2".into(),
            detail: format!("{equal}/{} equal", random_headers.len()),
            passed: equal == random_headers.len() && !random_headers.is_empty(),
        },
        &mut rows,
    );
    Ok(Verify {
        passed: rows.iter().all(|r| r.passed),
        rows,
    })
}
