// Histogram of one leaf for gradient boosting, with integer atomics only (deterministic).
//
// Layout:
//   bins:  row-major packed bins, `words_per_row` u32 per row; feature f of a row is byte
//          f % 4 (little end first) of word f / 4.
//   rows:  row ids; the leaf's are rows[first_row .. first_row + num_rows).
//   pairs: interleaved fixed-point (gradient, hessian) i32 per training row.
//   hist:  per feature, 256 bins × 3 channels (gradient, hessian, count) of i32; laid out
//          by word: word w holds features 4w..4w+3, i.e. hist[w * 3072 + (k * 256 + b) * 3 + c]
//          for feature 4w + k. The host sizes it to words_per_row * 3072 entries.
// Grid: `clear_histogram` — one thread per hist entry (2D for large counts).
//       `build_histogram` — x: chunks of `rows_per_group` leaf rows; y: one packed word (four
//       features). Each 256-thread workgroup accumulates its chunk into a workgroup-private
//       histogram of 4 features (12 KiB of atomic<i32>), then adds it into `hist`.
// The quantisation bound (src/gbdt/quantise.rs) guarantees no bin sum leaves i32; integer
// addition is associative, so the result is the same in every order and on every backend.

// prelude: grid

struct Params {
    num_rows: u32,
    words_per_row: u32,
    num_features: u32,
    rows_per_group: u32,
    hist_len: u32,
    first_row: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> bins: array<u32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read> pairs: array<i32>;
@group(0) @binding(4) var<storage, read_write> hist: array<atomic<i32>>;

override WORKGROUP: u32 = 256u;

const BINS: u32 = 256u;
const CHANNELS: u32 = 3u;
const WORD_ENTRIES: u32 = 3072u; // 4 features × 256 bins × 3 channels

var<workgroup> local_hist: array<atomic<i32>, WORD_ENTRIES>;

@compute @workgroup_size(WORKGROUP)
fn clear_histogram(ids: GridIds) {
    let i = flat_index(ids, WORKGROUP);
    if i < params.hist_len {
        atomicStore(&hist[i], 0);
    }
}

@compute @workgroup_size(WORKGROUP)
fn build_histogram(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let word = wg.y;
    for (var i = local; i < WORD_ENTRIES; i += WORKGROUP) {
        atomicStore(&local_hist[i], 0);
    }
    workgroupBarrier();

    let start = wg.x * params.rows_per_group;
    let end = min(start + params.rows_per_group, params.num_rows);
    let features_here = min(4u, params.num_features - 4u * word);
    for (var i = start + local; i < end; i += WORKGROUP) {
        let row = rows[params.first_row + i];
        let packed = bins[row * params.words_per_row + word];
        let g = pairs[2u * row];
        let h = pairs[2u * row + 1u];
        for (var k = 0u; k < features_here; k++) {
            let bin = (packed >> (8u * k)) & 0xffu;
            let base = (k * BINS + bin) * CHANNELS;
            atomicAdd(&local_hist[base], g);
            atomicAdd(&local_hist[base + 1u], h);
            atomicAdd(&local_hist[base + 2u], 1);
        }
    }
    workgroupBarrier();

    let out_base = word * WORD_ENTRIES;
    for (var i = local; i < WORD_ENTRIES; i += WORKGROUP) {
        let v = atomicLoad(&local_hist[i]);
        if v != 0 {
            atomicAdd(&hist[out_base + i], v);
        }
    }
}
