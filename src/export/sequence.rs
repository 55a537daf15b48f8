//! Moving between sequence layouts: `Transpose` between [batch, time, features] (the input),
//! [batch, channels, time] (convolutions) and [time, batch, features] (LSTMs), and the last
//! time step as a `Gather`.

use super::attributes::{int, ints};
use super::graph::GraphBuilder;

/// `x` with its axes permuted by `perm`.
pub fn transpose(g: &mut GraphBuilder, name: &str, x: &str, perm: [i64; 3]) -> String {
    g.node("Transpose", name, &[x], vec![ints("perm", perm.to_vec())])
}

/// The last of `steps` entries along `axis` of `x`, that axis removed.
pub fn last_step(g: &mut GraphBuilder, name: &str, x: &str, axis: i64, steps: usize) -> String {
    let index = g.int64_scalar(&format!("{name}/index"), steps as i64 - 1);
    g.node("Gather", name, &[x, &index], vec![int("axis", axis)])
}
