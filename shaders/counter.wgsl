// Step counters that live on the GPU, so a captured training step (a replayed plan) can tell
// one step from the next without any host write: kernels read counter[slot] (the batch number,
// the optimizer step, the dropout step) and `advance` adds one to a slot at the end of a step.

struct Params {
    slot: u32,
    amount: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> counter: array<u32>;

@compute @workgroup_size(1)
fn advance() {
    counter[params.slot] = counter[params.slot] + params.amount;
}
