//! Backward rules of the sequence layers (LSTM).

use super::{Tape, Var};
use crate::Result;
use crate::ops::{self, LstmOptions};

impl Tape {
    /// An LSTM layer over x `[B,T,F]` (Keras semantics, zero initial state); returns the
    /// hidden states `[B,T,H]`. Backward runs through time with the same kernels.
    pub fn lstm(&self, x: &Var, w_ih: &Var, w_hh: &Var, bias: &Var) -> Result<Var> {
        let forward = ops::lstm(
            x.value(),
            w_ih.value(),
            w_hh.value(),
            bias.value(),
            &LstmOptions::default(),
        )?;
        let h = forward.h.clone();
        let (xv, wi, wh) = (
            x.value().clone(),
            w_ih.value().clone(),
            w_hh.value().clone(),
        );
        Ok(self.record(h, &[x, w_ih, w_hh, bias], move |dh| {
            let g = ops::lstm_backward(&xv, &wi, &wh, &forward, dh)?;
            Ok(vec![
                Some(g.dx),
                Some(g.dw_ih),
                Some(g.dw_hh),
                Some(g.dbias),
            ])
        }))
    }
}
