// Multi-head scaled dot-product self-attention, forward and backward (docs/kernels.md).
//
// Layouts (row-major f32): q, k: [B, T, H·dk]; v, o, d_out: [B, T, H·dv]; head h owns the
// columns h·dk..(h+1)·dk (h·dv..(h+1)·dv of v). Weights P and score gradients dS: [B, H, T, T].
//
//   S = Q_h·K_hᵀ·scale (scale = 1/sqrt(dk)),  causal: S[t, s] = -inf for s > t
//   P = softmax_s(S),  O_h = P·V_h
//
// Grid: x = tile of 16 rows (queries for `forward` / `backward_query`, keys for
// `backward_key`), y = head, z = batch. Workgroup 16×16: lid.y picks a row of the tile, lid.x
// a key of the 16-key tile (scores) or a column slice c = lid.x + 16·r, r < 8 (outputs), so
// head dims up to D_MAX = 128 are supported. Workgroup memory: at most 25 KiB (`forward`).
//
// forward:        Q tile staged once; K and V staged 16 keys at a time; online softmax (running
//                 row max m and sum l, rescaling by exp(m_old - m_new)) so any T works. All 16
//                 threads of a row keep identical copies of m and l (same inputs, same order).
//                 WRITE_WEIGHTS = 1 stores raw scores in P, then rewrites them as exp(S - m)/l;
//                 each thread rewrites only the columns it wrote itself (j ≡ lid.x mod 16).
// backward_query: dP = dO·V_hᵀ, rowsum D = Σ_s dP ⊙ P (pass 1, dP kept in d_scores), then
//                 dS = P ⊙ (dP - D) written to d_scores and dQ = dS·K_h·scale (pass 2).
// backward_key:   dV = Pᵀ·dO and dK = dSᵀ·Q_h·scale for a tile of 16 keys, over all queries.
// Every sum runs in a fixed order: no atomics, bit-identical reruns.
// CAUSAL = 1 masks s > t; tiles entirely above the diagonal are skipped.

struct Params {
    seq_len: u32,
    num_heads: u32,
    key_dim: u32,
    value_dim: u32,
    scale: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> o: array<f32>;
@group(0) @binding(5) var<storage, read_write> weights_out: array<f32>;
@group(0) @binding(6) var<storage, read> weights: array<f32>;
@group(0) @binding(7) var<storage, read> d_out: array<f32>;
@group(0) @binding(8) var<storage, read_write> d_scores: array<f32>;
@group(0) @binding(9) var<storage, read_write> dq: array<f32>;
@group(0) @binding(10) var<storage, read_write> dk: array<f32>;
@group(0) @binding(11) var<storage, read_write> dv: array<f32>;

override CAUSAL: u32 = 0u;
override WRITE_WEIGHTS: u32 = 1u;

const TILE: u32 = 16u;
const D_MAX: u32 = 128u;
const COLS: u32 = 8u; // D_MAX / TILE columns per thread
const THREADS: u32 = 256u;
const TILE_ELEMENTS: u32 = 2048u; // TILE * D_MAX
const TILE_SQUARE: u32 = 256u; // TILE * TILE
// Below every finite score: exp(NEG - m) is 0 for a finite m.
const NEG: f32 = -3.0e38;

// forward: q_rows[i·D_MAX + d], key_cols[d·TILE + j] (Kᵀ, conflict-free dot products),
// value_rows[j·D_MAX + c], scores[i·TILE + j].
var<workgroup> q_rows: array<f32, TILE_ELEMENTS>;
var<workgroup> key_cols: array<f32, TILE_ELEMENTS>;
var<workgroup> value_rows: array<f32, TILE_ELEMENTS>;
var<workgroup> scores: array<f32, TILE_SQUARE>;

// backward: grad_rows[t·D_MAX + c] (dO), other_tile (Vᵀ as [c·TILE + j] in pass 1, K rows
// [j·D_MAX + d] in pass 2 of backward_query, Q rows [t·D_MAX + d] in backward_key),
// square_a / square_b: 16×16 tiles (P⊙dP and dS in backward_query, Pᵀ and dSᵀ in backward_key).
var<workgroup> grad_rows: array<f32, TILE_ELEMENTS>;
var<workgroup> other_tile: array<f32, TILE_ELEMENTS>;
var<workgroup> square_a: array<f32, TILE_SQUARE>;
var<workgroup> square_b: array<f32, TILE_SQUARE>;

// Whether query t may attend to key s (both inside the sequence, and s <= t when causal).
fn attends(t: u32, s: u32) -> bool {
    return t < params.seq_len && s < params.seq_len && (CAUSAL == 0u || s <= t);
}

// Number of 16-key tiles a query tile starting at `row0` has to visit.
fn key_tiles(row0: u32) -> u32 {
    let all = (params.seq_len + TILE - 1u) / TILE;
    if CAUSAL == 1u {
        return min(all, row0 / TILE + 1u);
    }
    return all;
}

// The built-in ids of a 16×16 workgroup; wg = (tile, head h, batch b).
struct TileIds {
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
}

// Element (t, col) of the [B, T, H·width] tensor for the batch and head of workgroup `wg`.
fn head_index(wg: vec3<u32>, t: u32, width: u32, col: u32) -> u32 {
    return (wg.z * params.seq_len + t) * params.num_heads * width + wg.y * width + col;
}

// Element (t, s) of the [B, H, T, T] weights for the batch and head of workgroup `wg`.
fn square_index(wg: vec3<u32>, t: u32, s: u32) -> u32 {
    return ((wg.z * params.num_heads + wg.y) * params.seq_len + t) * params.seq_len + s;
}

// Element e of a TILE × width tile staged from rows row0.. of a [B, T, H·width] tensor: its
// tile row and column, its index in the tensor and whether the row is inside the sequence
// (index 0 outside, so the read that `select` discards stays in bounds).
struct TileElement {
    row: u32,
    col: u32,
    index: u32,
    inside: bool,
}

fn tile_element(wg: vec3<u32>, row0: u32, width: u32, e: u32) -> TileElement {
    let row = e / width;
    let col = e % width;
    let inside = row0 + row < params.seq_len;
    return TileElement(row, col, select(0u, head_index(wg, row0 + row, width, col), inside), inside);
}

@compute @workgroup_size(TILE, TILE, 1)
fn forward(ids: TileIds) {
    let row0 = ids.wg.x * TILE;
    let i = row0 + ids.lid.y;
    let dk_ = params.key_dim;
    let dv_ = params.value_dim;

    for (var e = ids.local; e < TILE * dk_; e += THREADS) {
        let el = tile_element(ids.wg, row0, dk_, e);
        q_rows[el.row * D_MAX + el.col] = select(0.0, q[el.index], el.inside);
    }

    var m = NEG;
    var l = 0.0;
    var acc: array<f32, COLS>;
    let tiles = key_tiles(row0);
    for (var tile = 0u; tile < tiles; tile++) {
        let col0 = tile * TILE;
        for (var e = ids.local; e < TILE * dk_; e += THREADS) {
            let el = tile_element(ids.wg, col0, dk_, e);
            key_cols[el.col * TILE + el.row] = select(0.0, k[el.index], el.inside);
        }
        for (var e = ids.local; e < TILE * dv_; e += THREADS) {
            let el = tile_element(ids.wg, col0, dv_, e);
            value_rows[el.row * D_MAX + el.col] = select(0.0, v[el.index], el.inside);
        }
        workgroupBarrier();

        // Score of (query i, key col0 + ids.lid.x).
        let j = col0 + ids.lid.x;
        var dot = 0.0;
        for (var d = 0u; d < dk_; d++) {
            dot = fma(q_rows[ids.lid.y * D_MAX + d], key_cols[d * TILE + ids.lid.x], dot);
        }
        var s = NEG;
        if attends(i, j) {
            s = dot * params.scale;
            if WRITE_WEIGHTS == 1u {
                weights_out[square_index(ids.wg, i, j)] = s;
            }
        }
        scores[ids.lid.y * TILE + ids.lid.x] = s;
        workgroupBarrier();

        // Online softmax update of row i (identical in the 16 threads of the row).
        var m_new = m;
        for (var jj = 0u; jj < TILE; jj++) {
            if attends(i, col0 + jj) {
                m_new = max(m_new, scores[ids.lid.y * TILE + jj]);
            }
        }
        let alpha = exp(m - m_new);
        l *= alpha;
        for (var r = 0u; r < COLS; r++) {
            acc[r] *= alpha;
        }
        for (var jj = 0u; jj < TILE; jj++) {
            if attends(i, col0 + jj) {
                let p = exp(scores[ids.lid.y * TILE + jj] - m_new);
                l += p;
                for (var r = 0u; r < COLS; r++) {
                    let c = ids.lid.x + TILE * r;
                    if c < dv_ {
                        acc[r] = fma(p, value_rows[jj * D_MAX + c], acc[r]);
                    }
                }
            }
        }
        m = m_new;
        workgroupBarrier();
    }

    if i < params.seq_len {
        let inv = 1.0 / l;
        for (var r = 0u; r < COLS; r++) {
            let c = ids.lid.x + TILE * r;
            if c < dv_ {
                o[head_index(ids.wg, i, dv_, c)] = acc[r] * inv;
            }
        }
        if WRITE_WEIGHTS == 1u {
            // This thread wrote the raw scores of columns ids.lid.x + 16·n; normalise exactly those.
            for (var j = ids.lid.x; j < params.seq_len; j += TILE) {
                let index = square_index(ids.wg, i, j);
                var p = 0.0;
                if attends(i, j) {
                    p = exp(weights_out[index] - m) * inv;
                }
                weights_out[index] = p;
            }
        }
    }
}

@compute @workgroup_size(TILE, TILE, 1)
fn backward_query(ids: TileIds) {
    let row0 = ids.wg.x * TILE;
    let i = row0 + ids.lid.y;
    let dk_ = params.key_dim;
    let dv_ = params.value_dim;

    for (var e = ids.local; e < TILE * dv_; e += THREADS) {
        let el = tile_element(ids.wg, row0, dv_, e);
        grad_rows[el.row * D_MAX + el.col] = select(0.0, d_out[el.index], el.inside);
    }

    // Pass 1: dP = dO·Vᵀ (kept in d_scores) and D_i = Σ_j dP ⊙ P.
    let tiles = key_tiles(row0);
    var row_dot = 0.0;
    for (var tile = 0u; tile < tiles; tile++) {
        let col0 = tile * TILE;
        for (var e = ids.local; e < TILE * dv_; e += THREADS) {
            let el = tile_element(ids.wg, col0, dv_, e);
            other_tile[el.col * TILE + el.row] = select(0.0, v[el.index], el.inside);
        }
        workgroupBarrier();
        let j = col0 + ids.lid.x;
        var dp = 0.0;
        for (var c = 0u; c < dv_; c++) {
            dp = fma(grad_rows[ids.lid.y * D_MAX + c], other_tile[c * TILE + ids.lid.x], dp);
        }
        var product = 0.0;
        if attends(i, j) {
            let index = square_index(ids.wg, i, j);
            d_scores[index] = dp;
            product = dp * weights[index];
        }
        square_a[ids.lid.y * TILE + ids.lid.x] = product;
        workgroupBarrier();
        for (var jj = 0u; jj < TILE; jj++) {
            row_dot += square_a[ids.lid.y * TILE + jj];
        }
    }

    // Pass 2: dS = P ⊙ (dP - D) and dQ = dS·K.
    var acc: array<f32, COLS>;
    for (var tile = 0u; tile < tiles; tile++) {
        let col0 = tile * TILE;
        workgroupBarrier();
        for (var e = ids.local; e < TILE * dk_; e += THREADS) {
            let el = tile_element(ids.wg, col0, dk_, e);
            other_tile[el.row * D_MAX + el.col] = select(0.0, k[el.index], el.inside);
        }
        let j = col0 + ids.lid.x;
        var ds = 0.0;
        if attends(i, j) {
            let index = square_index(ids.wg, i, j);
            ds = weights[index] * (d_scores[index] - row_dot);
            d_scores[index] = ds;
        }
        square_b[ids.lid.y * TILE + ids.lid.x] = ds;
        workgroupBarrier();
        for (var jj = 0u; jj < TILE; jj++) {
            let g = square_b[ids.lid.y * TILE + jj];
            for (var r = 0u; r < COLS; r++) {
                let d = ids.lid.x + TILE * r;
                if d < dk_ {
                    acc[r] = fma(g, other_tile[jj * D_MAX + d], acc[r]);
                }
            }
        }
    }

    if i < params.seq_len {
        for (var r = 0u; r < COLS; r++) {
            let d = ids.lid.x + TILE * r;
            if d < dk_ {
                dq[head_index(ids.wg, i, dk_, d)] = acc[r] * params.scale;
            }
        }
    }
}

@compute @workgroup_size(TILE, TILE, 1)
fn backward_key(ids: TileIds) {
    let key0 = ids.wg.x * TILE;
    let s = key0 + ids.lid.y;
    let dk_ = params.key_dim;
    let dv_ = params.value_dim;

    var acc_k: array<f32, COLS>;
    var acc_v: array<f32, COLS>;
    let all = (params.seq_len + TILE - 1u) / TILE;
    // Causal: queries before key0 never attend to these keys.
    var first = 0u;
    if CAUSAL == 1u {
        first = ids.wg.x;
    }
    for (var tile = first; tile < all; tile++) {
        let row0 = tile * TILE;
        workgroupBarrier();
        for (var e = ids.local; e < TILE * dv_; e += THREADS) {
            let el = tile_element(ids.wg, row0, dv_, e);
            grad_rows[el.row * D_MAX + el.col] = select(0.0, d_out[el.index], el.inside);
        }
        for (var e = ids.local; e < TILE * dk_; e += THREADS) {
            let el = tile_element(ids.wg, row0, dk_, e);
            other_tile[el.row * D_MAX + el.col] = select(0.0, q[el.index], el.inside);
        }
        // Transposed 16×16 tiles of P and dS: consecutive threads read consecutive keys.
        let t = ids.local / TILE;
        let j = ids.local % TILE;
        var p = 0.0;
        var g = 0.0;
        if attends(row0 + t, key0 + j) {
            let index = square_index(ids.wg, row0 + t, key0 + j);
            p = weights[index];
            g = d_scores[index];
        }
        square_a[j * TILE + t] = p;
        square_b[j * TILE + t] = g;
        workgroupBarrier();
        for (var tt = 0u; tt < TILE; tt++) {
            let pt = square_a[ids.lid.y * TILE + tt];
            let gt = square_b[ids.lid.y * TILE + tt];
            for (var r = 0u; r < COLS; r++) {
                let c = ids.lid.x + TILE * r;
                if c < dv_ {
                    acc_v[r] = fma(pt, grad_rows[tt * D_MAX + c], acc_v[r]);
                }
                if c < dk_ {
                    acc_k[r] = fma(gt, other_tile[tt * D_MAX + c], acc_k[r]);
                }
            }
        }
    }

    if s < params.seq_len {
        for (var r = 0u; r < COLS; r++) {
            let c = ids.lid.x + TILE * r;
            if c < dv_ {
                dv[head_index(ids.wg, s, dv_, c)] = acc_v[r];
            }
            if c < dk_ {
                dk[head_index(ids.wg, s, dk_, c)] = acc_k[r] * params.scale;
            }
        }
    }
}
