// Batched, tiled matrix multiply with a fused epilogue:
//
//   C[b] = act(op(A[b]) · op(B[b]) + bias)      op(X) = X or Xᵀ (TRANS_A / TRANS_B)
//
// A is M×K (K×M when TRANS_A), B is K×N (N×K when TRANS_B), C is M×N, all row-major.
// A batch stride of 0 broadcasts one matrix over the batch (e.g. shared weights).
//
// Each 16×16 workgroup computes a 64×64 tile of C; each thread owns a 4×4 block of it
// (rows ly + 16·i, columns lx + 16·j, so stores coalesce and shared reads don't conflict).
// K is walked in steps of 16 through workgroup-memory tiles of A and B. Loads are
// arranged so consecutive threads read consecutive addresses for either layout.
// Out-of-range elements load as zero, so any M, N, K works.

// prelude: activation

struct Params {
    m: u32,
    n: u32,
    k: u32,
    batch_stride_a: u32,
    batch_stride_b: u32,
    batch_stride_c: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

override TRANS_A: u32 = 0u;
override TRANS_B: u32 = 0u;
override HAS_BIAS: u32 = 0u;
// 0 none, 1 relu, 2 tanh, 3 sigmoid, 4 gelu (src/activation.rs).
override ACTIVATION: u32 = 0u;

const TILE_M: u32 = 64u;
const TILE_N: u32 = 64u;
const TILE_K: u32 = 16u;
const THREADS: u32 = 16u;
const PER_THREAD: u32 = 4u;
const TILE_ELEMENTS: u32 = 1024u; // TILE_K * TILE_M = TILE_K * TILE_N

// tile_a[kk * TILE_M + mm] = A(row0 + mm, k0 + kk); tile_b[kk * TILE_N + nn] = B(k0 + kk, col0 + nn)
var<workgroup> tile_a: array<f32, TILE_ELEMENTS>;
var<workgroup> tile_b: array<f32, TILE_ELEMENTS>;

fn load_a(base: u32, row: u32, col: u32) -> f32 {
    if row >= params.m || col >= params.k {
        return 0.0;
    }
    if TRANS_A == 1u {
        return a[base + col * params.m + row];
    }
    return a[base + row * params.k + col];
}

fn load_b(base: u32, row: u32, col: u32) -> f32 {
    if row >= params.k || col >= params.n {
        return 0.0;
    }
    if TRANS_B == 1u {
        return b[base + col * params.k + row];
    }
    return b[base + row * params.n + col];
}

@compute @workgroup_size(THREADS, THREADS, 1)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let row0 = wg.y * TILE_M;
    let col0 = wg.x * TILE_N;
    let base_a = wg.z * params.batch_stride_a;
    let base_b = wg.z * params.batch_stride_b;
    let base_c = wg.z * params.batch_stride_c;

    var acc: array<f32, 16>;
    var a_reg: array<f32, 4>;
    var b_reg: array<f32, 4>;

    let steps = (params.k + TILE_K - 1u) / TILE_K;
    for (var step = 0u; step < steps; step++) {
        let k0 = step * TILE_K;
        for (var r = 0u; r < TILE_ELEMENTS / (THREADS * THREADS); r++) {
            let e = local + r * THREADS * THREADS;
            // Consecutive threads walk the contiguous axis of each operand.
            var mm: u32;
            var ka: u32;
            if TRANS_A == 1u {
                ka = e / TILE_M;
                mm = e % TILE_M;
            } else {
                mm = e / TILE_K;
                ka = e % TILE_K;
            }
            tile_a[ka * TILE_M + mm] = load_a(base_a, row0 + mm, k0 + ka);
            var nn: u32;
            var kb: u32;
            if TRANS_B == 1u {
                nn = e / TILE_K;
                kb = e % TILE_K;
            } else {
                kb = e / TILE_N;
                nn = e % TILE_N;
            }
            tile_b[kb * TILE_N + nn] = load_b(base_b, k0 + kb, col0 + nn);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TILE_K; kk++) {
            for (var i = 0u; i < PER_THREAD; i++) {
                a_reg[i] = tile_a[kk * TILE_M + lid.y + THREADS * i];
                b_reg[i] = tile_b[kk * TILE_N + lid.x + THREADS * i];
            }
            for (var i = 0u; i < PER_THREAD; i++) {
                for (var j = 0u; j < PER_THREAD; j++) {
                    acc[i * PER_THREAD + j] = fma(a_reg[i], b_reg[j], acc[i * PER_THREAD + j]);
                }
            }
        }
        workgroupBarrier();
    }

    for (var i = 0u; i < PER_THREAD; i++) {
        let row = row0 + lid.y + THREADS * i;
        for (var j = 0u; j < PER_THREAD; j++) {
            let col = col0 + lid.x + THREADS * j;
            if row < params.m && col < params.n {
                var v = acc[i * PER_THREAD + j];
                if HAS_BIAS == 1u {
                    v += bias[col];
                }
                c[base_c + row * params.n + col] = activate(ACTIVATION, v);
            }
        }
    }
}
