// Dilated causal 1-D convolution (Keras Conv1D, padding='causal'), forward and backward.
//
// Layout (row-major): x [B, T, Cin], w [K, Cin, Cout], bias [Cout], y / dy [B, T, Cout].
// The tap k looks back s(k) = (K-1-k)·d steps; x at negative time is 0.
//
//   conv1d_forward:         y[b,t,co]  = bias[co] + Σ_{k,ci} w[k,ci,co] · x[b, t-s(k), ci]
//   conv1d_backward_input:  dx[b,t,ci] = Σ_{k,co} w[k,ci,co] · dy[b, t+s(k), co]  (t+s(k) < T)
//   conv1d_backward_weight: dw[k,ci,co] = Σ_{b,t} x[b, t-s(k), ci] · dy[b,t,co]
//
// Each entry point is an implicit GEMM C[M,N] = Σ_r A[m,r]·B[r,N] whose operand tiles are
// gathered straight from the tensors (no im2col buffer), with the causal shift applied while
// staging the input window into workgroup memory:
//
//   forward:          m = b·T+t,   n = co, r = k·Cin+ci   A = shifted x,  B = w as [K·Cin, Cout]
//   backward_input:   m = b·T+t,   n = ci, r = k·Cout+co  A = shifted dy, B = w[k,ci,co]
//   backward_weight:  m = k·Cin+ci, n = co, r = b·T+t     A = shifted x,  B = dy as [B·T, Cout]
//
// Rows m run over batch and time together, so short sequences still fill whole tiles.
// A 16×8 workgroup computes a 32×64 tile of C (grid: x = N tiles, y = M tiles); each thread
// owns a 4×4 block (rows ly + 8·i, columns lx + 16·j). r is walked in steps of 16 through
// workgroup-memory tiles of A and B, loaded so that consecutive threads read consecutive
// addresses. backward_weight splits the long B·T reduction into fixed chunks (grid z = chunk
// index) and writes one partial dw per chunk; the launcher adds the partials in chunk order
// with reduce_rows, so the result is deterministic (no atomics). Out-of-range elements load as
// zero, so any size, kernel size and dilation (even d ≥ T) works.

struct Params {
    rows: u32,      // B·T
    time: u32,      // T
    cin: u32,
    cout: u32,
    ksize: u32,     // K
    dilation: u32,  // d
    chunk: u32,     // backward_weight: reduction rows per partial sum
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// forward: x, w; backward_input: dy, w; backward_weight: x, dy.
@group(0) @binding(1) var<storage, read> lhs: array<f32>;
@group(0) @binding(2) var<storage, read> rhs: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

override HAS_BIAS: u32 = 0u;

const TILE_M: u32 = 32u;
const TILE_N: u32 = 64u;
const TILE_R: u32 = 16u;
const THREADS_N: u32 = 16u;
const THREADS_M: u32 = 8u;
const THREADS: u32 = 128u; // THREADS_N * THREADS_M
const PER_THREAD: u32 = 4u;

const FORWARD: u32 = 0u;
const BACKWARD_INPUT: u32 = 1u;
const BACKWARD_WEIGHT: u32 = 2u;

// tile_a[rr * TILE_M + mm] = A(m0 + mm, r0 + rr); tile_b[rr * TILE_N + nn] = B(r0 + rr, n0 + nn)
var<workgroup> tile_a: array<f32, 512>;  // TILE_R * TILE_M
var<workgroup> tile_b: array<f32, 1024>; // TILE_R * TILE_N

// The look-back of tap k in time steps.
fn shift(k: u32) -> u32 {
    return (params.ksize - 1u - k) * params.dilation;
}

// x[b, t - s(k), ci] for row = b·T+t and tap/channel pair (k, ci); 0 before the sequence start.
fn shifted_x(row: u32, k: u32, ci: u32) -> f32 {
    let s = shift(k);
    let t = row % params.time;
    if s > t {
        return 0.0;
    }
    return lhs[(row - s) * params.cin + ci];
}

fn load_a(mode: u32, m: u32, r: u32, m_end: u32, r_end: u32) -> f32 {
    if m >= m_end || r >= r_end {
        return 0.0;
    }
    switch mode {
        case FORWARD: {
            return shifted_x(m, r / params.cin, r % params.cin);
        }
        case BACKWARD_INPUT: {
            // dy[b, t + s(k), co] with r = k·Cout + co; 0 past the sequence end.
            let k = r / params.cout;
            let co = r % params.cout;
            let t = m % params.time;
            let s = shift(k);
            if s >= params.time - t {
                return 0.0;
            }
            return lhs[(m + s) * params.cout + co];
        }
        default: {
            // m = k·Cin + ci, r = b·T + t.
            return shifted_x(r, m / params.cin, m % params.cin);
        }
    }
}

fn load_b(mode: u32, r: u32, n: u32, r_end: u32, n_end: u32) -> f32 {
    if r >= r_end || n >= n_end {
        return 0.0;
    }
    switch mode {
        case BACKWARD_INPUT: {
            // w[k, ci, co] with r = k·Cout + co, n = ci.
            let k = r / params.cout;
            let co = r % params.cout;
            return rhs[(k * params.cin + n) * params.cout + co];
        }
        default: {
            // forward: w as [K·Cin, Cout]; backward_weight: dy as [B·T, Cout].
            return rhs[r * params.cout + n];
        }
    }
}

// Accumulates the workgroup's 32×64 tile of C over reductions r in [r_begin, r_end).
fn tile_product(
    mode: u32,
    m0: u32,
    n0: u32,
    m_end: u32,
    n_end: u32,
    r_begin: u32,
    r_end: u32,
    lid: vec3<u32>,
    local: u32,
) -> array<f32, 16> {
    var acc: array<f32, 16>;
    var a_reg: array<f32, 4>;
    var b_reg: array<f32, 4>;
    // Which operand axis is contiguous in memory: consecutive threads walk it.
    let a_r_fast = mode != BACKWARD_WEIGHT;
    let b_r_fast = mode == BACKWARD_INPUT;
    for (var r0 = r_begin; r0 < r_end; r0 += TILE_R) {
        for (var e = local; e < TILE_R * TILE_M; e += THREADS) {
            var mm = e % TILE_M;
            var rr = e / TILE_M;
            if a_r_fast {
                mm = e / TILE_R;
                rr = e % TILE_R;
            }
            tile_a[rr * TILE_M + mm] = load_a(mode, m0 + mm, r0 + rr, m_end, r_end);
        }
        for (var e = local; e < TILE_R * TILE_N; e += THREADS) {
            var nn = e % TILE_N;
            var rr = e / TILE_N;
            if b_r_fast {
                nn = e / TILE_R;
                rr = e % TILE_R;
            }
            tile_b[rr * TILE_N + nn] = load_b(mode, r0 + rr, n0 + nn, r_end, n_end);
        }
        workgroupBarrier();
        for (var rr = 0u; rr < TILE_R; rr++) {
            for (var i = 0u; i < PER_THREAD; i++) {
                a_reg[i] = tile_a[rr * TILE_M + lid.y + THREADS_M * i];
                b_reg[i] = tile_b[rr * TILE_N + lid.x + THREADS_N * i];
            }
            for (var i = 0u; i < PER_THREAD; i++) {
                for (var j = 0u; j < PER_THREAD; j++) {
                    acc[i * PER_THREAD + j] = fma(a_reg[i], b_reg[j], acc[i * PER_THREAD + j]);
                }
            }
        }
        workgroupBarrier();
    }
    return acc;
}

@compute @workgroup_size(THREADS_N, THREADS_M, 1)
fn conv1d_forward(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let m0 = wg.y * TILE_M;
    let n0 = wg.x * TILE_N;
    let reduction = params.ksize * params.cin;
    let acc = tile_product(FORWARD, m0, n0, params.rows, params.cout, 0u, reduction, lid, local);
    for (var i = 0u; i < PER_THREAD; i++) {
        let m = m0 + lid.y + THREADS_M * i;
        for (var j = 0u; j < PER_THREAD; j++) {
            let n = n0 + lid.x + THREADS_N * j;
            if m < params.rows && n < params.cout {
                var v = acc[i * PER_THREAD + j];
                if HAS_BIAS == 1u {
                    v += bias[n];
                }
                out[m * params.cout + n] = v;
            }
        }
    }
}

@compute @workgroup_size(THREADS_N, THREADS_M, 1)
fn conv1d_backward_input(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let m0 = wg.y * TILE_M;
    let n0 = wg.x * TILE_N;
    let reduction = params.ksize * params.cout;
    let acc = tile_product(BACKWARD_INPUT, m0, n0, params.rows, params.cin, 0u, reduction, lid, local);
    for (var i = 0u; i < PER_THREAD; i++) {
        let m = m0 + lid.y + THREADS_M * i;
        for (var j = 0u; j < PER_THREAD; j++) {
            let n = n0 + lid.x + THREADS_N * j;
            if m < params.rows && n < params.cin {
                out[m * params.cin + n] = acc[i * PER_THREAD + j];
            }
        }
    }
}

@compute @workgroup_size(THREADS_N, THREADS_M, 1)
fn conv1d_backward_weight(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
) {
    let m0 = wg.y * TILE_M;
    let n0 = wg.x * TILE_N;
    let m_end = params.ksize * params.cin;
    let r_begin = wg.z * params.chunk;
    let r_end = min(r_begin + params.chunk, params.rows);
    let acc = tile_product(BACKWARD_WEIGHT, m0, n0, m_end, params.cout, r_begin, r_end, lid, local);
    let base = wg.z * m_end * params.cout;
    for (var i = 0u; i < PER_THREAD; i++) {
        let m = m0 + lid.y + THREADS_M * i;
        for (var j = 0u; j < PER_THREAD; j++) {
            let n = n0 + lid.x + THREADS_N * j;
            if m < m_end && n < params.cout {
                out[base + m * params.cout + n] = acc[i * PER_THREAD + j];
            }
        }
    }
}
