//! The descriptors of an LSTM layer: which recurrence to run and its validated shape.

use crate::error::{AtbError, Result};

/// Which GPU implementation of the recurrence to run (the CPU backend ignores it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LstmPath {
    /// The sequence kernel when its tile fits the adapter's workgroup memory, else per-step.
    #[default]
    Auto,
    /// One dispatch for the whole sequence; an error when the tile does not fit.
    Sequence,
    /// One dispatch per time step.
    PerStep,
}

/// Options of `ops::lstm` and `ops::lstm_backward_with_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LstmOptions {
    /// The recurrence implementation.
    pub path: LstmPath,
}

/// The validated sizes of one LSTM layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LstmShape {
    /// Batch size B.
    pub batch: usize,
    /// Time steps T.
    pub steps: usize,
    /// Input features F.
    pub features: usize,
    /// Hidden units H.
    pub hidden: usize,
}

impl LstmShape {
    /// Checks x `[B,T,F]`, W_ih `[F,4H]`, W_hh `[H,4H]`, bias `[4H]`, all sizes at least 1.
    pub fn infer(x: &[usize], w_ih: &[usize], w_hh: &[usize], bias: &[usize]) -> Result<LstmShape> {
        let err = |detail: String| AtbError::Shape { op: "lstm", detail };
        let &[batch, steps, features] = x else {
            return Err(err(format!(
                "x must be [batch, steps, features], got {x:?}"
            )));
        };
        let &[hidden, gates] = w_hh else {
            return Err(err(format!(
                "W_hh must be [hidden, 4·hidden], got {w_hh:?}"
            )));
        };
        if gates != 4 * hidden {
            return Err(err(format!(
                "W_hh must be [hidden, 4·hidden], got {w_hh:?} ({gates} ≠ 4·{hidden})"
            )));
        }
        if w_ih != [features, gates] {
            return Err(err(format!(
                "W_ih must be [features, 4·hidden] = [{features}, {gates}], got {w_ih:?}"
            )));
        }
        if bias != [gates] {
            return Err(err(format!("bias must be [{gates}], got {bias:?}")));
        }
        if batch == 0 || steps == 0 || features == 0 || hidden == 0 {
            return Err(err(format!(
                "every size must be at least 1: x {x:?}, W_hh {w_hh:?}"
            )));
        }
        Ok(LstmShape {
            batch,
            steps,
            features,
            hidden,
        })
    }

    /// Elements of one `[B,T,H]` state tensor.
    pub fn state_len(&self) -> usize {
        self.batch * self.steps * self.hidden
    }

    /// Elements of one `[B,T,4H]` gate tensor.
    pub fn gates_len(&self) -> usize {
        4 * self.state_len()
    }
}
