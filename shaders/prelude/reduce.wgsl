// Prelude part `reduce`: tree reductions of one value per thread over workgroup memory, in a
// fixed order (no atomics), so the same input gives bit-identical results.
//
// The part declares its workgroup memory, `reduce_scratch` (and `reduce_scratch2` for the
// paired sum): naga does not accept workgroup pointers as function arguments. `threads` is the
// number of threads taking part (a power of two, at most REDUCE_MAX_THREADS, uniform across
// the workgroup); every one of them must call the helper. Each helper ends with a barrier, so
// it can be called again right away; every thread gets the result.

const REDUCE_MAX_THREADS: u32 = 256u;

var<workgroup> reduce_scratch: array<f32, REDUCE_MAX_THREADS>;
var<workgroup> reduce_scratch2: array<f32, REDUCE_MAX_THREADS>;

// Σ value over threads 0..threads: pairwise, halving the width each step.
fn workgroup_sum(local: u32, threads: u32, value: f32) -> f32 {
    reduce_scratch[local] = value;
    workgroupBarrier();
    for (var width = threads / 2u; width > 0u; width /= 2u) {
        if local < width {
            reduce_scratch[local] += reduce_scratch[local + width];
        }
        workgroupBarrier();
    }
    let result = reduce_scratch[0];
    workgroupBarrier();
    return result;
}

// max value over threads 0..threads, in the same tree order as `workgroup_sum`.
fn workgroup_max(local: u32, threads: u32, value: f32) -> f32 {
    reduce_scratch[local] = value;
    workgroupBarrier();
    for (var width = threads / 2u; width > 0u; width /= 2u) {
        if local < width {
            reduce_scratch[local] = max(reduce_scratch[local], reduce_scratch[local + width]);
        }
        workgroupBarrier();
    }
    let result = reduce_scratch[0];
    workgroupBarrier();
    return result;
}

// Two sums at once, sharing the barriers: (Σ a, Σ b).
fn workgroup_sum2(local: u32, threads: u32, a: f32, b: f32) -> vec2<f32> {
    reduce_scratch[local] = a;
    reduce_scratch2[local] = b;
    workgroupBarrier();
    for (var width = threads / 2u; width > 0u; width /= 2u) {
        if local < width {
            reduce_scratch[local] += reduce_scratch[local + width];
            reduce_scratch2[local] += reduce_scratch2[local + width];
        }
        workgroupBarrier();
    }
    let result = vec2<f32>(reduce_scratch[0], reduce_scratch2[0]);
    workgroupBarrier();
    return result;
}
