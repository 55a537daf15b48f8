//! An LSTM layer as the ONNX `LSTM` operator over [time, batch, features].
//!
//! Ours: `kernel` [F, 4H], `recurrent_kernel` [H, 4H], `bias` [4H], gate blocks in the order
//! i, f, g, o (columns), `z = x·kernel + h·recurrent + bias`, zero initial state. ONNX: `W`
//! [1, 4H, F] and `R` [1, 4H, H] with gate blocks i, o, f, c (rows), `B` [1, 8H] = the input
//! bias then the recurrent bias (zero here), sigmoid/tanh/tanh — the same cell.

use super::attributes::int;
use super::graph::GraphBuilder;
use super::weights::Weights;
use crate::{AtbError, Result};

/// Our gate block (i, f, g, o = 0, 1, 2, 3) of each ONNX gate block (i, o, f, c).
const OUR_GATE_OF_ONNX_GATE: [usize; 4] = [0, 3, 1, 2];

/// `[rows, 4H]` with gate columns i, f, g, o → `[4H, rows]` with gate rows i, o, f, c.
fn onnx_gate_rows(values: &[f32], rows: usize, hidden: usize) -> Vec<f32> {
    let width = 4 * hidden;
    let mut out = vec![0.0f32; width * rows];
    for (onnx_gate, &our_gate) in OUR_GATE_OF_ONNX_GATE.iter().enumerate() {
        for j in 0..hidden {
            for r in 0..rows {
                out[(onnx_gate * hidden + j) * rows + r] =
                    values[r * width + our_gate * hidden + j];
            }
        }
    }
    out
}

/// LSTM `name` over `x` [time, batch, inputs] → every step's hidden state
/// [time, batch, units].
pub fn lstm(g: &mut GraphBuilder, weights: &Weights, name: &str, x: &str) -> Result<String> {
    let kernel = weights.get(&format!("{name}/kernel"), 2)?;
    let recurrent = weights.get(&format!("{name}/recurrent_kernel"), 2)?;
    let bias = weights.get(&format!("{name}/bias"), 1)?;
    let (inputs, hidden) = (kernel.shape[0], recurrent.shape[0]);
    if kernel.shape[1] != 4 * hidden
        || recurrent.shape[1] != 4 * hidden
        || bias.shape[0] != 4 * hidden
    {
        return Err(AtbError::Export(format!(
            "{name}: kernel {:?}, recurrent kernel {:?} and bias {:?} are not an LSTM of {hidden} units",
            kernel.shape, recurrent.shape, bias.shape
        )));
    }
    let w = g.floats(
        &format!("{name}/W"),
        &[1, 4 * hidden, inputs],
        &onnx_gate_rows(&kernel.values, inputs, hidden),
    )?;
    let r = g.floats(
        &format!("{name}/R"),
        &[1, 4 * hidden, hidden],
        &onnx_gate_rows(&recurrent.values, hidden, hidden),
    )?;
    let mut b = onnx_gate_rows(&bias.values, 1, hidden);
    b.resize(8 * hidden, 0.0);
    let b = g.floats(&format!("{name}/B"), &[1, 8 * hidden], &b)?;
    let y = g.node(
        "LSTM",
        &format!("{name}/lstm"),
        &[x, &w, &r, &b],
        vec![int("hidden_size", hidden as i64)],
    );
    let axes = g.int64_vector(&format!("{name}/direction_axis"), &[1]);
    Ok(g.node("Squeeze", &format!("{name}/sequence"), &[&y, &axes], vec![]))
}

/// Layers `lstm_0`, `lstm_1`, … (`layers` of them) over `x` [time, batch, features], each
/// returning its full sequence (dropout is the identity at inference).
pub fn lstm_stack(
    g: &mut GraphBuilder,
    weights: &Weights,
    x: &str,
    layers: usize,
) -> Result<String> {
    let mut h = x.to_string();
    for i in 0..layers {
        h = lstm(g, weights, &format!("lstm_{i}"), &h)?;
    }
    Ok(h)
}
