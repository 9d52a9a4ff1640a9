//! Instructions per nonce, from the disassembly's basic blocks.
//!
//! Loops are found from their back edges (a branch to a block laid out at
//! or before it; ACO lays each loop out as one run of blocks). The work of
//! one nonce is the path one nonce takes through its code when it is no
//! hit, as nearly every nonce is (one in 2^32 meets a difficulty-1 target):
//!
//! - a kernel that tries `NONCES_PER_INVOCATION` nonces: one trip around
//!   its nonce loop, the top-level loop that leaves when its counter
//!   reaches that number; the loop's control is counted too;
//! - a kernel that tries one nonce per invocation: the whole shader.
//!
//! The path follows every block in layout order, takes each unconditional
//! branch, does not take a loop exit, and skips only a *hit region*: the
//! code an `s_cbranch_execz` jumps over when no lane of the wave has a hit
//! (or a tie to recheck), recognised as a region that holds a buffer
//! atomic (the `atomicAdd` on the hit counter) and fewer vector
//! instructions than the path has run before it: a hit test follows the
//! hash it tests, where a guard that skips the whole nonce (`index >=
//! nonce_count`) comes before it. Every other region is counted in full, as
//! if some lane entered it. A path that meets a loop outside a hit region
//! has no static count: the loops are listed with their static size and
//! the trip bounds their exits compare against.

use super::asm::{ClassCounts, Program};

/// A loop: the layout positions of its first block and of the block whose
/// branch goes back to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loop {
    pub head: usize,
    pub tail: usize,
}

impl Loop {
    fn contains(&self, pos: usize) -> bool {
        self.head <= pos && pos <= self.tail
    }
}

/// Every loop, by first block; a block branching back to an earlier head
/// of the same loop widens it.
pub fn loops(p: &Program) -> Vec<Loop> {
    let mut loops: Vec<Loop> = Vec::new();
    for (pos, block) in p.blocks.iter().enumerate() {
        for inst in &block.insts {
            let Some(target) = inst.branch_target().and_then(|t| p.position(t)) else {
                continue;
            };
            if target > pos {
                continue;
            }
            match loops.iter_mut().find(|l| l.head == target) {
                Some(l) => l.tail = l.tail.max(pos),
                None => loops.push(Loop {
                    head: target,
                    tail: pos,
                }),
            }
        }
    }
    loops.sort_by_key(|l| (l.head, std::cmp::Reverse(l.tail)));
    loops
}

/// Loops inside no other loop.
pub fn top_level(loops: &[Loop]) -> Vec<Loop> {
    loops
        .iter()
        .copied()
        .filter(|l| {
            !loops
                .iter()
                .any(|o| o != l && o.contains(l.head) && o.contains(l.tail))
        })
        .collect()
}

/// The literals the loop's exits compare a counter against: for each
/// conditional branch out of the loop, an `s_cmp*` with a literal other
/// than 0 and -1 earlier in its block.
pub fn trip_bounds(p: &Program, l: &Loop) -> Vec<i64> {
    let mut bounds = Vec::new();
    for pos in l.head..=l.tail {
        let insts = &p.blocks[pos].insts;
        for (i, inst) in insts.iter().enumerate() {
            if !inst.mnemonic.starts_with("s_cbranch_") {
                continue;
            }
            let Some(target) = inst.branch_target().and_then(|t| p.position(t)) else {
                continue;
            };
            if l.contains(target) {
                continue;
            }
            let compare = insts[..i]
                .iter()
                .rev()
                .find(|c| c.mnemonic.starts_with("s_cmp"));
            if let Some(literal) = compare.and_then(|c| literal_operand(&c.operands)) {
                if literal != 0 && literal != -1 && !bounds.contains(&literal) {
                    bounds.push(literal);
                }
            }
        }
    }
    bounds
}

fn literal_operand(operands: &str) -> Option<i64> {
    operands.split(',').map(str::trim).find_map(|o| {
        if let Some(hex) = o.strip_prefix("0x") {
            i64::from_str_radix(hex, 16).ok()
        } else {
            o.parse().ok()
        }
    })
}

/// The blocks a path counted, the hit regions it skipped, or the inner
/// loop it met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Path {
    Counted {
        blocks: Vec<usize>,
        /// Each skipped hit region: (first block, block jumped to).
        skipped: Vec<(usize, usize)>,
    },
    /// The path enters the loop with this head.
    MeetsLoop(usize),
}

/// Whether the code from `from` up to (not including) `to` is a hit region
/// on a path that has run `valu_before` vector instructions.
fn is_hit_region(p: &Program, from: usize, to: usize, valu_before: u64) -> bool {
    if to <= from {
        return false;
    }
    let atomic = (from..to).any(|b| {
        p.blocks[b]
            .insts
            .iter()
            .any(|i| i.mnemonic.contains("_atomic_") && !i.mnemonic.starts_with("s_"))
    });
    atomic && p.counts_of(from..to).valu < valu_before
}

/// The path from block `start` to block `end` (a loop's back edge, or the
/// program's end), by the rules in the module documentation. `within` is
/// the loop being walked, whose own head is no inner loop.
pub fn walk(p: &Program, start: usize, end: usize, within: Option<Loop>) -> Path {
    let all = loops(p);
    let mut blocks = Vec::new();
    let mut skipped = Vec::new();
    let mut pos = start;
    while pos <= end {
        if let Some(inner) = all.iter().find(|l| l.head == pos) {
            if Some(*inner) != within {
                return Path::MeetsLoop(pos);
            }
        }
        blocks.push(pos);
        let block = &p.blocks[pos];
        let mut next = pos + 1;
        if let Some(last) = block.insts.last() {
            if last.mnemonic.starts_with("s_endpgm") {
                break;
            }
            if let Some(target) = last.branch_target().and_then(|t| p.position(t)) {
                let backward = target <= pos;
                if last.mnemonic == "s_branch" {
                    if backward {
                        break; // the back edge: one trip ends
                    }
                    next = target;
                } else if !backward
                    && last.mnemonic == "s_cbranch_execz"
                    && target <= end + 1
                    && is_hit_region(p, pos + 1, target, p.counts_of(blocks.iter().copied()).valu)
                {
                    skipped.push((pos + 1, target));
                    next = target;
                }
            }
        }
        pos = next;
    }
    Path::Counted { blocks, skipped }
}

/// The nonce loop of a kernel run with `n` nonces per invocation: the first
/// top-level loop whose exits compare against `n`.
pub fn nonce_loop(p: &Program, n: u32) -> Option<Loop> {
    top_level(&loops(p))
        .into_iter()
        .find(|l| trip_bounds(p, l).contains(&i64::from(n)))
}

/// Instructions of `blocks`, by class.
pub fn counted(p: &Program, blocks: &[usize]) -> ClassCounts {
    p.counts_of(blocks.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A nonce loop of 4 (BB1..BB5) with a hit region (BB3), then a tail.
    const LOOPED: &str = "BB0:\n\ts_mov_b32 s6, 0\n\tv_add_nc_u32_e32 v0, 1, v0\n\
BB1:\n\ts_cmp_ge_u32 s6, 4\n\ts_cbranch_scc1 BB9\n\
BB2:\n\tv_xor3_b32 v1, v1, v2, v3\n\tv_add3_u32 v1, v1, v2, v3\n\tv_cmpx_gt_u32_e32 s1, v4\n\ts_cbranch_execz BB5\n\
BB3:\n\tbuffer_atomic_add_u32 v4, off, s[16:19], 0 glc\n\tbuffer_store_b32 v3, v4, s[16:19], 0 offen\n\
BB5:\n\ts_mov_b64 exec, s[14:15]\n\ts_add_u32 s6, s6, 1\n\ts_branch BB1\n\
BB9:\n\ts_endpgm\n";

    #[test]
    fn one_trip_of_the_nonce_loop_skips_only_the_hit_region() {
        let p = Program::parse(LOOPED).unwrap();
        let l = nonce_loop(&p, 4).expect("the loop exits at 4");
        assert_eq!((l.head, l.tail), (1, 4));
        assert_eq!(trip_bounds(&p, &l), [4]);
        assert!(nonce_loop(&p, 8).is_none());
        let Path::Counted { blocks, skipped } = walk(&p, l.head, l.tail, Some(l)) else {
            panic!("straight-line");
        };
        assert_eq!(blocks, [1, 2, 4]);
        assert_eq!(skipped, [(3, 4)]);
        let c = counted(&p, &blocks);
        assert_eq!((c.valu, c.salu, c.flow, c.vmem), (3, 3, 3, 0));
    }

    #[test]
    fn a_region_that_is_not_a_hit_is_counted_and_a_loop_on_the_path_is_rolled() {
        // The same code without the atomic: the execz region is counted.
        let p =
            Program::parse(&LOOPED.replace("buffer_atomic_add_u32", "buffer_load_b32")).unwrap();
        let l = nonce_loop(&p, 4).unwrap();
        let Path::Counted { blocks, skipped } = walk(&p, l.head, l.tail, Some(l)) else {
            panic!("straight-line");
        };
        assert_eq!(blocks, [1, 2, 3, 4]);
        assert!(skipped.is_empty());
        // A guard before any vector work is no hit region, atomic or not.
        let guard = "BB0:\n\tv_cmpx_gt_u32_e32 s0, v0\n\ts_cbranch_execz BB2\n\
BB1:\n\tv_xor3_b32 v1, v1, v2, v3\n\tbuffer_atomic_add_u32 v4, off, s[16:19], 0 glc\n\
BB2:\n\ts_endpgm\n";
        let p = Program::parse(guard).unwrap();
        let Path::Counted { blocks, skipped } = walk(&p, 0, 2, None) else {
            panic!("straight-line");
        };
        assert_eq!((blocks, skipped), (vec![0, 1, 2], vec![]));
        // Walked as a whole shader, the path meets the loop.
        let p = Program::parse(LOOPED).unwrap();
        assert_eq!(walk(&p, 0, p.blocks.len() - 1, None), Path::MeetsLoop(1));
    }
}
