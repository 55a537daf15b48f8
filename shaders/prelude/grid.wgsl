// Prelude part `grid`: linear indices in grids that the launchers lay out in 2-D when a 1-D
// grid would exceed max_compute_workgroups_per_dimension (src/kernels/mod.rs): workgroup
// (x, y) of a grid `groups.x` wide is number y · groups.x + x.
//
// An entry point takes the ids as one argument, `fn kernel(ids: GridIds)`, and reads the
// thread's index in its workgroup as `ids.local`.

// The built-in ids a kernel over a 1-D or 2-D laid out grid needs.
struct GridIds {
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
}

// The linear number of this thread's workgroup.
fn group_index(ids: GridIds) -> u32 {
    return ids.wg.y * ids.groups.x + ids.wg.x;
}

// The linear number of this thread, `width` threads per workgroup.
fn flat_index(ids: GridIds, width: u32) -> u32 {
    return group_index(ids) * width + ids.local;
}
