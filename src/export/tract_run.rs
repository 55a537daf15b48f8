//! Running an exported file with tract, a pure-Rust ONNX runtime: no C++ runtime and no
//! Python, the same deployment story as atb-gpu itself. tract 0.23 has no
//! `TreeEnsembleRegressor`, so boosted models are checked by [`super::tree_check`] instead.

use tract_onnx::prelude::*;

use crate::{AtbError, Result};

/// Outputs of the model in `bytes` for `input` of `shape` (the first output, flattened).
pub fn run_tract(bytes: &[u8], input: &[f32], shape: &[usize]) -> Result<Vec<f32>> {
    let fail = |stage: &str| {
        let stage = stage.to_string();
        move |e: TractError| AtbError::Export(format!("tract could not {stage}: {e:#}"))
    };
    let model = tract_onnx::onnx()
        .model_for_read(&mut &bytes[..])
        .map_err(fail("read the file"))?
        .with_input_fact(0, f32::fact(shape).into())
        .map_err(fail("set the input shape"))?
        .into_optimized()
        .map_err(fail("type and optimise the graph"))?
        .into_runnable()
        .map_err(fail("plan the graph"))?;
    let input = Tensor::from_shape(shape, input).map_err(fail("build the input"))?;
    let outputs = model
        .run(tvec!(input.into()))
        .map_err(fail("run the graph"))?;
    let first = outputs
        .first()
        .ok_or_else(|| AtbError::Export("tract returned no output".to_string()))?;
    Ok(first
        .to_plain_array_view::<f32>()
        .map_err(fail("read the output"))?
        .iter()
        .copied()
        .collect())
}
