// Stable partition of one leaf's rows into its two children, on the GPU.
//
// A leaf owns the segment rows[begin .. begin + count) of the row-id buffer. After a split,
// the rows going left come first, then the rows going right, each in their previous order
// (stable, hence deterministic and equal to the CPU reference src/cpu/gbdt_partition.rs).
// A row goes left when its bin of `feature` is <= `threshold_bin`, or, when that bin is the
// feature's missing-value bin `nan_bin`, when `default_left` is 1.
//
// Layout: bins as in gbdt_histogram.wgsl (packed, words_per_row u32 per row); rows: u32 row
// ids; scratch: u32, same length as rows; blocks: one u32 per 256-row block of the segment.
// Grid and passes (recorded back to back in one submit):
//   count_left    one 256-thread workgroup per block: blocks[b] = rows of block b going left.
//   scan_blocks   one workgroup: blocks[b] = Σ_{b' < b} blocks[b'] (exclusive prefix).
//   scatter       one workgroup per block: a workgroup prefix sum of the left flags gives
//                 each row its rank; left rows go to scratch[begin + blocks[b] + rank], right
//                 rows to scratch[begin + left_total + (b·256 − blocks[b]) + rank].
//   copy_back     one thread per row: rows[begin + i] = scratch[begin + i].
// `left_total` is known to the host from the split's histogram counts.

// prelude: grid

struct Params {
    begin: u32,
    count: u32,
    feature: u32,
    threshold_bin: u32,
    nan_bin: u32,
    default_left: u32,
    left_total: u32,
    words_per_row: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> bins: array<u32>;
@group(0) @binding(2) var<storage, read_write> rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> scratch: array<u32>;
@group(0) @binding(4) var<storage, read_write> blocks: array<u32>;

const BLOCK: u32 = 256u;

var<workgroup> flags: array<u32, BLOCK>;
var<workgroup> carry: u32;

fn goes_left(row: u32) -> bool {
    let word = bins[row * params.words_per_row + params.feature / 4u];
    let bin = (word >> (8u * (params.feature % 4u))) & 0xffu;
    if bin == params.nan_bin {
        return params.default_left != 0u;
    }
    return bin <= params.threshold_bin;
}

// Inclusive Hillis–Steele scan of `flags` (fixed order: deterministic).
fn scan_flags(local: u32) {
    for (var offset = 1u; offset < BLOCK; offset *= 2u) {
        var add = 0u;
        if local >= offset {
            add = flags[local - offset];
        }
        workgroupBarrier();
        flags[local] += add;
        workgroupBarrier();
    }
}

@compute @workgroup_size(BLOCK)
fn count_left(ids: GridIds) {
    let local = ids.local;
    let block = group_index(ids);
    let i = block * BLOCK + local;
    var flag = 0u;
    if i < params.count && goes_left(rows[params.begin + i]) {
        flag = 1u;
    }
    flags[local] = flag;
    workgroupBarrier();
    scan_flags(local);
    if local == BLOCK - 1u && block * BLOCK < params.count {
        blocks[block] = flags[BLOCK - 1u];
    }
}

@compute @workgroup_size(BLOCK)
fn scan_blocks(@builtin(local_invocation_index) local: u32) {
    let num_blocks = (params.count + BLOCK - 1u) / BLOCK;
    if local == 0u {
        carry = 0u;
    }
    workgroupBarrier();
    for (var start = 0u; start < num_blocks; start += BLOCK) {
        let b = start + local;
        var v = 0u;
        if b < num_blocks {
            v = blocks[b];
        }
        flags[local] = v;
        workgroupBarrier();
        scan_flags(local);
        let base = carry;
        if b < num_blocks {
            blocks[b] = base + flags[local] - v;
        }
        workgroupBarrier();
        if local == BLOCK - 1u {
            carry = base + flags[BLOCK - 1u];
        }
        workgroupBarrier();
    }
}

@compute @workgroup_size(BLOCK)
fn scatter(ids: GridIds) {
    let local = ids.local;
    let block = group_index(ids);
    let i = block * BLOCK + local;
    let inside = i < params.count;
    var row = 0u;
    var left = false;
    if inside {
        row = rows[params.begin + i];
        left = goes_left(row);
    }
    flags[local] = select(0u, 1u, inside && left);
    workgroupBarrier();
    scan_flags(local);
    if inside {
        let left_before_block = blocks[block];
        let left_rank = flags[local] - select(0u, 1u, left);
        if left {
            scratch[params.begin + left_before_block + left_rank] = row;
        } else {
            let right_rank = local - left_rank;
            let right_before_block = block * BLOCK - left_before_block;
            scratch[params.begin + params.left_total + right_before_block + right_rank] = row;
        }
    }
}

@compute @workgroup_size(BLOCK)
fn copy_back(ids: GridIds) {
    let i = flat_index(ids, BLOCK);
    if i < params.count {
        rows[params.begin + i] = scratch[params.begin + i];
    }
}
