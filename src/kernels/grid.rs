//! The grid and index-width helpers every launcher shares.

use crate::device::GpuContext;
use crate::error::{AtbError, Result};

/// Lays `groups` workgroups out as (x, y, 1) within `max_compute_workgroups_per_dimension`;
/// shaders rebuild the flat index as `wg.y * num_workgroups.x + wg.x`.
pub(crate) fn grid_1d(ctx: &GpuContext, groups: usize, kernel: &'static str) -> Result<[u32; 3]> {
    let limit = ctx.limits().max_compute_workgroups_per_dimension as usize;
    let x = groups.min(limit);
    let y = if x == 0 { 0 } else { groups.div_ceil(x) };
    let fits = |v: usize| u32::try_from(v).ok().filter(|&v| v as usize <= limit);
    match (fits(x), fits(y)) {
        (Some(x), Some(y)) => Ok([x, y, 1]),
        _ => Err(AtbError::DispatchTooLarge {
            kernel,
            groups: groups as u64,
            limit: limit as u32,
        }),
    }
}

/// A size as the `u32` the shaders index with, or a clear error when it is larger.
pub(crate) fn as_u32(value: usize, what: &'static str) -> Result<u32> {
    u32::try_from(value).map_err(|_| AtbError::Shape {
        op: what,
        detail: format!("{value} elements exceed the 2^32 a kernel can index"),
    })
}
