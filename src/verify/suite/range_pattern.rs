//! How a kernel searches a range where every nonce is a hit (the largest
//! target), as the diagnosis (`diagnosis.rs`) reads it: which nonces it
//! reports, missing, more than once or outside, and the pattern they make.

use crate::chain::header::BlockHeader;
use crate::chain::target::Target;
use crate::error::Result;
use crate::gpu::GpuSearcher;
use crate::search::Batch;

/// How a search of a range at the largest target (every nonce a hit)
/// differs from the whole range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Pattern {
    Nothing,
    /// Only the first row of the grid, `row` nonces, is searched;
    /// `repeated` when later rows report it again.
    FirstRowOnly {
        row: u64,
        repeated: bool,
    },
    Twice {
        nonce: u32,
        times: usize,
    },
    PastEnd {
        index: u64,
    },
    BeforeStart {
        nonce: u32,
    },
    LastSkipped,
    FirstOnly,
    Stride {
        every: u64,
    },
    Prefix {
        searched: u64,
    },
    Missing {
        count: u64,
        first_index: u64,
    },
}

impl Pattern {
    pub(super) fn describe(&self) -> String {
        match self {
            Pattern::Nothing => "a range where every nonce is a hit gets no hit at all".into(),
            Pattern::FirstRowOnly { row, repeated } => format!(
                "only the first row of the grid ({row} nonces) is searched{}",
                if *repeated {
                    ", and every row reports it again: gid.y (or row_stride) is ignored"
                } else {
                    "; the rows after it are never searched"
                }
            ),
            Pattern::Twice { nonce, times } => {
                format!("nonce {nonce} is reported {times} times in one search")
            }
            Pattern::PastEnd { index } => format!(
                "it searches past the end of the range: index {index}, one past the last, is reported (compare the index with `>=`, not `>`)"
            ),
            Pattern::BeforeStart { nonce } => {
                format!("it reports nonce {nonce}, before the range's first nonce")
            }
            Pattern::LastSkipped => {
                "the last nonce of each range is never searched".into()
            }
            Pattern::FirstOnly => {
                "only the first nonce of a range is searched (only invocation 0 does its work)".into()
            }
            Pattern::Stride { every } => format!(
                "it searches 1 nonce in {every} (indices 0, {every}, {}, ...): the index or the nonce is scaled",
                2 * every
            ),
            Pattern::Prefix { searched } => format!(
                "only the first {searched} nonces of a range are searched"
            ),
            Pattern::Missing { count, first_index } => format!(
                "{count} nonces of a range where every nonce is a hit are never reported, the first at index {first_index}"
            ),
        }
    }
}

/// One dispatch of `count` nonces from `start` at the largest target, with
/// room for every report; None when it reports each nonce once.
/// `row_nonces`: the nonces of one row of the grid, when forced small.
pub(super) fn range_pattern(
    searcher: &mut GpuSearcher,
    header: &BlockHeader,
    start: u32,
    count: u64,
    row_nonces: Option<u64>,
) -> Result<Option<Pattern>> {
    let batch = Batch::new(*header, start, count, Target::MAX);
    let raw = searcher.dispatch_once(&batch, (count * 4) as u32)?;
    if raw.count == 0 {
        return Ok(Some(Pattern::Nothing));
    }
    let end = start as u64 + count;
    let mut times = std::collections::BTreeMap::new();
    for &n in &raw.nonces {
        *times.entry(n).or_insert(0usize) += 1;
    }
    let reported: Vec<u64> = times
        .keys()
        .filter(|n| (**n as u64) >= start as u64 && (**n as u64) < end)
        .map(|n| *n as u64 - start as u64)
        .collect();
    let repeated = times.values().any(|t| *t > 1);
    if let Some(row) = row_nonces {
        if reported.iter().all(|i| *i < row) && reported.len() as u64 == row.min(count) {
            return Ok(Some(Pattern::FirstRowOnly { row, repeated }));
        }
    }
    if let Some((n, t)) = times.iter().find(|(_, t)| **t > 1) {
        return Ok(Some(Pattern::Twice {
            nonce: *n,
            times: *t,
        }));
    }
    if let Some(n) = times.keys().find(|n| (**n as u64) >= end) {
        return Ok(Some(Pattern::PastEnd {
            index: *n as u64 - start as u64,
        }));
    }
    if let Some(n) = times.keys().find(|n| **n < start) {
        return Ok(Some(Pattern::BeforeStart { nonce: *n }));
    }
    if reported.len() as u64 == count {
        return Ok(None);
    }
    let pattern = if reported.len() as u64 == count - 1 && !reported.contains(&(count - 1)) {
        Pattern::LastSkipped
    } else if reported == [0] {
        Pattern::FirstOnly
    } else if reported.len() >= 2
        && reported[0] == 0
        && reported.windows(2).all(|w| w[1] - w[0] == reported[1])
        && reported.len() as u64 == count.div_ceil(reported[1])
    {
        Pattern::Stride { every: reported[1] }
    } else if reported.iter().enumerate().all(|(i, n)| *n == i as u64) {
        Pattern::Prefix {
            searched: reported.len() as u64,
        }
    } else {
        let first_index = (0..count)
            .find(|i| reported.binary_search(i).is_err())
            .unwrap_or(0);
        Pattern::Missing {
            count: count - reported.len() as u64,
            first_index,
        }
    };
    Ok(Some(pattern))
}
