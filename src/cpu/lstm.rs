//! CPU reference of `shaders/lstm.wgsl` and of the matmuls around it: the LSTM forward and
//! backward through time written out as plain loops, generic over f32 (the CPU backend) and
//! f64 (the finite-difference checks of the tests).
//!
//! Layouts as in the shader: x `[B,T,F]`, W_ih `[F,4H]`, W_hh `[H,4H]`, bias `[4H]`,
//! h and c `[B,T,H]`, gates `[B,T,4H]` (activated i, f, g, o).

use ndarray::NdFloat;

use crate::descriptors::lstm::LstmShape;

/// Every step's hidden state, cell state and activated gates.
#[derive(Debug, Clone, PartialEq)]
pub struct LstmState<R> {
    /// `[B,T,H]`.
    pub h: Vec<R>,
    /// `[B,T,H]`.
    pub c: Vec<R>,
    /// `[B,T,4H]`.
    pub gates: Vec<R>,
}

impl<R> LstmState<R> {
    /// Borrows the three tensors.
    pub fn as_ref(&self) -> LstmStateRef<'_, R> {
        LstmStateRef {
            h: &self.h,
            c: &self.c,
            gates: &self.gates,
        }
    }
}

/// A borrowed [`LstmState`].
#[derive(Debug, Clone, Copy)]
pub struct LstmStateRef<'a, R> {
    /// `[B,T,H]`.
    pub h: &'a [R],
    /// `[B,T,H]`.
    pub c: &'a [R],
    /// `[B,T,4H]`.
    pub gates: &'a [R],
}

/// Gradients of the loss with respect to the inputs and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct LstmGradients<R> {
    /// `[B,T,F]`.
    pub dx: Vec<R>,
    /// `[F,4H]`.
    pub dw_ih: Vec<R>,
    /// `[H,4H]`.
    pub dw_hh: Vec<R>,
    /// `[4H]`.
    pub dbias: Vec<R>,
}

fn sigmoid<R: NdFloat>(x: R) -> R {
    R::one() / (R::one() + (-x).exp())
}

/// The forward pass: z_t = x_t·W_ih + h_{t-1}·W_hh + b, c_t = f·c_{t-1} + i·g,
/// h_t = o·tanh(c_t), from h_{-1} = c_{-1} = 0.
pub fn forward<R: NdFloat>(
    x: &[R],
    w_ih: &[R],
    w_hh: &[R],
    bias: &[R],
    shape: &LstmShape,
) -> LstmState<R> {
    let LstmShape {
        batch,
        steps,
        features,
        hidden,
    } = *shape;
    let g4 = 4 * hidden;
    let mut state = LstmState {
        h: vec![R::zero(); shape.state_len()],
        c: vec![R::zero(); shape.state_len()],
        gates: vec![R::zero(); shape.gates_len()],
    };
    let mut z = vec![R::zero(); g4];
    for b in 0..batch {
        for t in 0..steps {
            z.copy_from_slice(bias);
            let xt = &x[(b * steps + t) * features..][..features];
            for (p, &xv) in xt.iter().enumerate() {
                for (zc, &w) in z.iter_mut().zip(&w_ih[p * g4..(p + 1) * g4]) {
                    *zc += xv * w;
                }
            }
            let cell = (b * steps + t) * hidden;
            if t > 0 {
                let prev = cell - hidden;
                for k in 0..hidden {
                    let hv = state.h[prev + k];
                    for (zc, &w) in z.iter_mut().zip(&w_hh[k * g4..(k + 1) * g4]) {
                        *zc += hv * w;
                    }
                }
            }
            for j in 0..hidden {
                let i = sigmoid(z[j]);
                let f = sigmoid(z[hidden + j]);
                let g = z[2 * hidden + j].tanh();
                let o = sigmoid(z[3 * hidden + j]);
                let c_prev = if t > 0 {
                    state.c[cell - hidden + j]
                } else {
                    R::zero()
                };
                let c = f * c_prev + i * g;
                state.c[cell + j] = c;
                state.h[cell + j] = o * c.tanh();
                let base = (b * steps + t) * g4 + j;
                for (q, v) in [i, f, g, o].into_iter().enumerate() {
                    state.gates[base + q * hidden] = v;
                }
            }
        }
    }
    state
}

/// Backward through time for the upstream gradient `dh` `[B,T,H]` of every step's h.
pub fn backward<R: NdFloat>(
    x: &[R],
    w_ih: &[R],
    w_hh: &[R],
    state: LstmStateRef<'_, R>,
    dh: &[R],
    shape: &LstmShape,
) -> LstmGradients<R> {
    let LstmShape {
        batch,
        steps,
        features,
        hidden,
    } = *shape;
    let g4 = 4 * hidden;
    let mut grads = LstmGradients {
        dx: vec![R::zero(); batch * steps * features],
        dw_ih: vec![R::zero(); features * g4],
        dw_hh: vec![R::zero(); hidden * g4],
        dbias: vec![R::zero(); g4],
    };
    let mut dz = vec![R::zero(); g4];
    let mut dh_rec = vec![R::zero(); hidden];
    let mut dc_carry = vec![R::zero(); hidden];
    for b in 0..batch {
        dh_rec.fill(R::zero());
        dc_carry.fill(R::zero());
        for t in (0..steps).rev() {
            let cell = (b * steps + t) * hidden;
            let base = (b * steps + t) * g4;
            for j in 0..hidden {
                let gate = |q: usize| state.gates[base + q * hidden + j];
                let (i, f, g, o) = (gate(0), gate(1), gate(2), gate(3));
                let c_prev = if t > 0 {
                    state.c[cell - hidden + j]
                } else {
                    R::zero()
                };
                let tc = state.c[cell + j].tanh();
                let dh_total = dh[cell + j] + dh_rec[j];
                let dc = dc_carry[j] + dh_total * o * (R::one() - tc * tc);
                dz[j] = dc * g * i * (R::one() - i);
                dz[hidden + j] = dc * c_prev * f * (R::one() - f);
                dz[2 * hidden + j] = dc * i * (R::one() - g * g);
                dz[3 * hidden + j] = dh_total * tc * o * (R::one() - o);
                dc_carry[j] = dc * f;
            }
            // Parameter and input gradients of this step.
            for (db, &d) in grads.dbias.iter_mut().zip(&dz) {
                *db += d;
            }
            let xt = &x[(b * steps + t) * features..][..features];
            let dxt = &mut grads.dx[(b * steps + t) * features..][..features];
            for p in 0..features {
                let w_row = &w_ih[p * g4..(p + 1) * g4];
                dxt[p] = dz
                    .iter()
                    .zip(w_row)
                    .fold(R::zero(), |s, (&d, &w)| s + d * w);
                for (dw, &d) in grads.dw_ih[p * g4..(p + 1) * g4].iter_mut().zip(&dz) {
                    *dw += xt[p] * d;
                }
            }
            // dh_{t-1} through W_hh and dW_hh += h_{t-1}ᵀ·dz_t.
            for k in 0..hidden {
                let w_row = &w_hh[k * g4..(k + 1) * g4];
                dh_rec[k] = dz
                    .iter()
                    .zip(w_row)
                    .fold(R::zero(), |s, (&d, &w)| s + d * w);
                if t > 0 {
                    let hv = state.h[cell - hidden + k];
                    for (dw, &d) in grads.dw_hh[k * g4..(k + 1) * g4].iter_mut().zip(&dz) {
                        *dw += hv * d;
                    }
                }
            }
        }
    }
    grads
}
