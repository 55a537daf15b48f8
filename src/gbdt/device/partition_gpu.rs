//! Launcher of `shaders/gbdt_partition.wgsl`.

use super::partition_rule::PartitionRule;
use crate::Result;
use crate::device::{Binding, BufferClass, Dispatch, GpuBuffer, GpuContext, Shader};
use crate::kernels::grid::{as_u32, grid_1d};

/// Rows per block (the shader's `BLOCK`).
const BLOCK: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
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

/// Reorders the segment `rows[begin .. begin + count]` (row ids into the packed bins `bins`,
/// `words_per_row` words per row) so that the `left_total` rows going left under `rule` come
/// first, stably. `scratch` has at least as many entries as `rows`. Only records the work.
#[allow(clippy::too_many_arguments)]
pub fn gbdt_partition(
    ctx: &GpuContext,
    bins: &GpuBuffer,
    words_per_row: usize,
    rows: &GpuBuffer,
    scratch: &GpuBuffer,
    begin: usize,
    count: usize,
    left_total: usize,
    rule: &PartitionRule,
) -> Result<()> {
    let num_blocks = count.div_ceil(BLOCK);
    if num_blocks == 0 {
        return Ok(());
    }
    let blocks = ctx.alloc(
        BufferClass::Storage,
        4 * num_blocks as u64,
        "gbdt partition blocks",
    )?;
    let what = "gbdt_partition";
    let params = Params {
        begin: as_u32(begin, what)?,
        count: as_u32(count, what)?,
        feature: as_u32(rule.feature, what)?,
        threshold_bin: as_u32(rule.threshold_bin, what)?,
        nan_bin: as_u32(rule.nan_bin, what)?,
        default_left: u32::from(rule.default_left),
        left_total: as_u32(left_total, what)?,
        words_per_row: as_u32(words_per_row, what)?,
    };
    let params = bytemuck::bytes_of(&params);
    let grid = grid_1d(ctx, num_blocks, what)?;
    let passes: [(&'static str, Vec<Binding<'_>>, [u32; 3]); 4] = [
        (
            "count_left",
            vec![
                Binding::at(1, bins),
                Binding::at(2, rows),
                Binding::at(4, &blocks),
            ],
            grid,
        ),
        ("scan_blocks", vec![Binding::at(4, &blocks)], [1, 1, 1]),
        (
            "scatter",
            Binding::in_order([bins, rows, scratch, &blocks]).into(),
            grid,
        ),
        (
            "copy_back",
            vec![Binding::at(2, rows), Binding::at(3, scratch)],
            grid,
        ),
    ];
    for (entry, buffers, workgroups) in &passes {
        ctx.dispatch(&Dispatch {
            shader: Shader::GBDT_PARTITION,
            entry,
            constants: &[],
            params,
            buffers,
            workgroups: *workgroups,
            label: what,
        })?;
    }
    Ok(())
}
