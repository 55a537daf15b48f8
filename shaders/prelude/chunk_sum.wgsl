// Prelude part `chunk_sum` (uses the parts `grid` and `reduce`): a two-pass sum of one term per
// element over n elements, in a fixed order (no atomics), so the sum is bit-reproducible.
//
// Pass 1, `chunk_partial`: workgroup w (CHUNK_THREADS threads) sums the terms of its chunk
//   [w·CHUNK, (w+1)·CHUNK): thread t adds elements t, t+256, … of the chunk in order, then a
//   tree reduction, and partial_sums[w] = the chunk's sum. Grid: ceil(n / CHUNK) workgroups
//   (2-D when needed).
// Pass 2, `chunk_total`: one CHUNK_THREADS-wide workgroup; thread t adds partials t, t+256, …
//   in order, then a tree reduction; every thread gets the total.
//
// The shader provides `fn chunk_term(i: u32) -> f32`, the term of element i, and the storage
// buffer `partial_sums: array<f32>` (read_write), one element per chunk.

const CHUNK_THREADS: u32 = 256u;
const CHUNK_STEPS: u32 = 16u;
const CHUNK: u32 = CHUNK_THREADS * CHUNK_STEPS;

fn chunk_partial(ids: GridIds, n: u32, chunks: u32) {
    let chunk = group_index(ids);
    let start = chunk * CHUNK;
    var sum = 0.0;
    for (var k = 0u; k < CHUNK_STEPS; k++) {
        let i = start + k * CHUNK_THREADS + ids.local;
        if chunk < chunks && i < n {
            sum += chunk_term(i);
        }
    }
    let total = workgroup_sum(ids.local, CHUNK_THREADS, sum);
    if ids.local == 0u && chunk < chunks {
        partial_sums[chunk] = total;
    }
}

fn chunk_total(local: u32, chunks: u32) -> f32 {
    var sum = 0.0;
    for (var p = local; p < chunks; p += CHUNK_THREADS) {
        sum += partial_sums[p];
    }
    return workgroup_sum(local, CHUNK_THREADS, sum);
}
