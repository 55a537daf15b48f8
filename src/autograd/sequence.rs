//! Backward rules of the sequence layers: LSTM, dilated causal convolution, attention.

use super::tape::{Tape, Var};
use crate::ops::{self, AttentionOptions, LstmOptions};
use crate::{Result, Tensor};

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

impl Tape {
    /// A dilated causal convolution over x `[B,T,Cin]` with w `[K,Cin,Cout]` (Keras
    /// `Conv1D(padding='causal')`).
    pub fn conv1d(&self, x: &Var, w: &Var, bias: Option<&Var>, dilation: usize) -> Result<Var> {
        let value = ops::conv1d(x.value(), w.value(), bias.map(Var::value), dilation)?;
        let (xv, wv) = (x.value().clone(), w.value().clone());
        let has_bias = bias.is_some();
        let mut inputs = vec![x, w];
        inputs.extend(bias);
        Ok(self.record(value, &inputs, move |dy| {
            let g = ops::conv1d_backward(&xv, &wv, dy, dilation)?;
            let mut grads = vec![Some(g.dx), Some(g.dw)];
            if has_bias {
                grads.push(Some(g.dbias));
            }
            Ok(grads)
        }))
    }

    /// The multi-head attention core over projected q, k `[B,T,H·dk]` and v `[B,T,H·dv]`;
    /// returns `[B,T,H·dv]` and, on request, the weights `[B,H,T,T]` (not differentiated).
    pub fn attention(
        &self,
        q: &Var,
        k: &Var,
        v: &Var,
        opts: AttentionOptions,
    ) -> Result<(Var, Option<Tensor>)> {
        let keep = AttentionOptions {
            return_weights: true,
            ..opts
        };
        let forward = ops::attention(q.value(), k.value(), v.value(), &keep)?;
        let weights = forward.weights.clone();
        let (qv, kv, vv) = (q.value().clone(), k.value().clone(), v.value().clone());
        let saved = forward.weights.clone();
        let out = self.record(forward.out, &[q, k, v], move |d_out| {
            let g = ops::attention_backward(&qv, &kv, &vv, saved.as_ref(), d_out, &keep)?;
            Ok(vec![Some(g.dq), Some(g.dk), Some(g.dv)])
        });
        Ok((out, if opts.return_weights { weights } else { None }))
    }
}
