//! A saved model's parameters by name, each taken with the shape the architecture expects.

use crate::nn::HostTensor;
use crate::{AtbError, Result};

/// The parameters of one saved network (names as in `model.safetensors`).
#[derive(Debug, Clone)]
pub struct Weights {
    tensors: Vec<HostTensor>,
}

impl Weights {
    /// Wraps the parameters read from a model.
    pub fn new(tensors: Vec<HostTensor>) -> Weights {
        Weights { tensors }
    }

    /// Parameter `name`; an error names it when it is missing or its rank differs from
    /// `rank`.
    pub fn get(&self, name: &str, rank: usize) -> Result<&HostTensor> {
        let tensor = self
            .tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| AtbError::Export(format!("the model has no parameter '{name}'")))?;
        if tensor.shape.len() != rank
            || tensor.values.len() != tensor.shape.iter().product::<usize>()
        {
            return Err(AtbError::Export(format!(
                "parameter '{name}' has shape {:?} and {} values; expected {rank} axes",
                tensor.shape,
                tensor.values.len()
            )));
        }
        Ok(tensor)
    }
}
