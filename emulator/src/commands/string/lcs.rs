//! LCS: the longest common subsequence of two strings, by the classic dynamic programming
//! table (O(N*M) time and memory, as Redis), with its LEN, IDX, MINMATCHLEN and WITHMATCHLEN
//! variants.

use super::{int_arg, is_keyword, reply_of, string_ref, PROTO_MAX_BULK_LEN};
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};

#[derive(Default)]
struct Options {
    len_only: bool,
    with_ranges: bool,
    with_match_len: bool,
    min_match_len: u64,
}

pub(super) fn lcs(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(lcs_reply(srv, call))
}

/// Both keys' bytes ("" if missing), looked up before any option is examined, as Redis does.
fn operand(srv: &mut Server, call: &Call, key: &[u8]) -> Result<Vec<u8>, ()> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(Vec::new()),
        Some(entry) => string_ref(entry).map(|s| s.to_bytes()).map_err(|_| ()),
    }
}

fn parse_options(call: &Call) -> Result<Options, Reply> {
    let mut opts = Options::default();
    let mut j = 3;
    while j < call.argc() {
        let arg = call.arg(j);
        if is_keyword(arg, "idx") {
            opts.with_ranges = true;
        } else if is_keyword(arg, "len") {
            opts.len_only = true;
        } else if is_keyword(arg, "withmatchlen") {
            opts.with_match_len = true;
        } else if is_keyword(arg, "minmatchlen") && j + 1 < call.argc() {
            opts.min_match_len = int_arg(call.arg(j + 1))?.max(0) as u64;
            j += 1;
        } else {
            return Err(errors::syntax());
        }
        j += 1;
    }
    if opts.len_only && opts.with_ranges {
        return Err(Reply::error(
            "ERR If you want both the length and indexes, please just use IDX.",
        ));
    }
    Ok(opts)
}

fn lcs_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let a = operand(srv, call, call.arg(1));
    let b = operand(srv, call, call.arg(2));
    let (Ok(a), Ok(b)) = (a, b) else {
        return Err(Reply::error(
            "ERR The specified keys must contain string values",
        ));
    };
    let opts = parse_options(call)?;
    if a.len() as u64 >= u32::MAX as u64 - 1 || b.len() as u64 >= u32::MAX as u64 - 1 {
        return Err(Reply::error("ERR String too long for LCS"));
    }
    let table = LcsTable::build(&a, &b)?;
    let total = table.at(a.len(), b.len());
    if opts.len_only {
        return Ok(Reply::Integer(total as i64));
    }
    let (common, ranges) = table.walk_back(&a, &b, &opts);
    if opts.with_ranges {
        return Ok(Reply::Map(vec![
            (Reply::bulk("matches"), Reply::Array(ranges)),
            (Reply::bulk("len"), Reply::Integer(total as i64)),
        ]));
    }
    Ok(Reply::Bulk(common))
}

/// `at(i, j)` is the LCS length of the first `i` bytes of A and the first `j` bytes of B.
struct LcsTable {
    cells: Vec<u32>,
    width: usize,
}

impl LcsTable {
    fn build(a: &[u8], b: &[u8]) -> Result<LcsTable, Reply> {
        let width = b.len() + 1;
        let cells_len = (a.len() as u64 + 1) * width as u64;
        if cells_len * 4 > PROTO_MAX_BULK_LEN {
            return Err(Reply::error(
                "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
            ));
        }
        let mut cells = Vec::new();
        if cells.try_reserve_exact(cells_len as usize).is_err() {
            return Err(Reply::error(
                "ERR Insufficient memory, failed allocating transient memory for LCS",
            ));
        }
        cells.resize(cells_len as usize, 0u32);
        let mut table = LcsTable { cells, width };
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let len = if a[i - 1] == b[j - 1] {
                    table.at(i - 1, j - 1) + 1
                } else {
                    table.at(i - 1, j).max(table.at(i, j - 1))
                };
                table.cells[i * width + j] = len;
            }
        }
        Ok(table)
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.width + j]
    }

    /// Walks from the end of both strings back to the start, collecting the common
    /// subsequence and, for IDX, the matching ranges (last ones first, as Redis emits them).
    fn walk_back(&self, a: &[u8], b: &[u8], opts: &Options) -> (Vec<u8>, Vec<Reply>) {
        let mut common = vec![0u8; self.at(a.len(), b.len()) as usize];
        let mut remaining = common.len();
        let mut ranges = Vec::new();
        // The range being extended backwards: (a_start, a_end, b_start, b_end).
        let mut current: Option<(usize, usize, usize, usize)> = None;
        let (mut i, mut j) = (a.len(), b.len());
        while i > 0 && j > 0 {
            let mut close_range = false;
            if a[i - 1] == b[j - 1] {
                common[remaining - 1] = a[i - 1];
                match &mut current {
                    None => current = Some((i - 1, i - 1, j - 1, j - 1)),
                    Some((a_start, _, b_start, _)) if *a_start == i && *b_start == j => {
                        *a_start -= 1;
                        *b_start -= 1;
                    }
                    Some(_) => close_range = true,
                }
                if matches!(current, Some((0, _, _, _)) | Some((_, _, 0, _))) {
                    close_range = true;
                }
                remaining -= 1;
                i -= 1;
                j -= 1;
            } else {
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                close_range = current.is_some();
            }
            if close_range {
                if let Some(range) = current.take() {
                    if opts.with_ranges {
                        ranges.extend(range_reply(range, opts));
                    }
                }
            }
        }
        (common, ranges)
    }
}

fn range_reply(
    (a_start, a_end, b_start, b_end): (usize, usize, usize, usize),
    opts: &Options,
) -> Option<Reply> {
    let match_len = (a_end - a_start + 1) as u64;
    if opts.min_match_len != 0 && match_len < opts.min_match_len {
        return None;
    }
    let pair = |start: usize, end: usize| {
        Reply::Array(vec![
            Reply::Integer(start as i64),
            Reply::Integer(end as i64),
        ])
    };
    let mut items = vec![pair(a_start, a_end), pair(b_start, b_end)];
    if opts.with_match_len {
        items.push(Reply::Integer(match_len as i64));
    }
    Some(Reply::Array(items))
}
