// Data-movement kernels of the autograd graph and the batch pipeline.
//
// `copy_window`: views src as [outer, src_axis, inner] and dst as [outer, dst_axis, inner] and
//   copies `len` positions of the middle axis: dst[o, dst_start + a, i] = src[o, src_start + a, i]
//   for a < len. Slicing (src_start = s, dst_start = 0) and concatenation (each input placed at
//   its dst_start) along the time or the feature axis are both this kernel. Elements of dst
//   outside the window are left untouched. One thread per copied element.
// `gather_rows`: dst[r, c] = table[indices[counter[COUNTER_SLOT] · rows + r], c]: batch
//   assembly from a GPU-resident data set; the batch number is read from a counter buffer so
//   that a captured training step gathers the next batch on every replay.
// Grids beyond max_compute_workgroups_per_dimension are laid out in 2-D.

// prelude: grid

struct Params {
    outer: u32,
    src_axis: u32,
    dst_axis: u32,
    inner: u32,
    src_start: u32,
    dst_start: u32,
    len: u32,
    total: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> indices: array<u32>;
@group(0) @binding(4) var<storage, read> counter: array<u32>;

override COUNTER_SLOT: u32 = 0u;

const WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn copy_window(ids: GridIds) {
    let e = flat_index(ids, WORKGROUP);
    if e >= params.total {
        return;
    }
    let i = e % params.inner;
    let a = (e / params.inner) % params.len;
    let o = e / (params.inner * params.len);
    let src_index = (o * params.src_axis + params.src_start + a) * params.inner + i;
    let dst_index = (o * params.dst_axis + params.dst_start + a) * params.inner + i;
    dst[dst_index] = src[src_index];
}

// Params reuse: outer = rows, inner = cols, total = rows · cols.
@compute @workgroup_size(WORKGROUP)
fn gather_rows(ids: GridIds) {
    let e = flat_index(ids, WORKGROUP);
    if e >= params.total {
        return;
    }
    let r = e / params.inner;
    let c = e % params.inner;
    let row = indices[counter[COUNTER_SLOT] * params.outer + r];
    dst[e] = src[row * params.inner + c];
}
