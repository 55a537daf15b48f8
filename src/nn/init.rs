//! Seeded parameter initialisation (Keras defaults), computed on the host so every device
//! starts from bit-identical weights.

/// How to fill a new parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras `glorot_uniform`, the kernel default).
    GlorotUniform,
    /// A random (semi-)orthogonal matrix (Keras `orthogonal`, the recurrent-kernel default).
    Orthogonal,
    /// All zeros (biases).
    Zeros,
    /// All equal to a constant (e.g. ones for a norm's scale, 1 for an LSTM forget bias).
    Constant(f32),
}

/// SplitMix64: small, fast, and identical everywhere.
#[derive(Debug, Clone)]
pub struct InitRng {
    state: u64,
}

impl InitRng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> InitRng {
        InitRng {
            state: seed ^ 0x5DEE_CE66_D1CE_4E5B,
        }
    }

    /// The generator's whole state (to checkpoint it).
    pub fn state(&self) -> u64 {
        self.state
    }

    /// A generator continuing from a [`state`](Self::state).
    pub fn from_state(state: u64) -> InitRng {
        InitRng { state }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// Fan-in and fan-out of a weight shape: the last axis is the output; every other axis
/// (e.g. a convolution's kernel taps) counts into the input side, as Keras computes them.
fn fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (*n, *n),
        [rest @ .., out] => {
            let receptive: usize = rest[..rest.len() - 1].iter().product();
            (rest[rest.len() - 1] * receptive, out * receptive)
        }
    }
}

impl Init {
    /// The initial values of a parameter of `shape`.
    pub fn values(self, shape: &[usize], rng: &mut InitRng) -> Vec<f32> {
        let n: usize = shape.iter().product();
        match self {
            Init::Zeros => vec![0.0; n],
            Init::Constant(c) => vec![c; n],
            Init::GlorotUniform => {
                let (fan_in, fan_out) = fans(shape);
                let limit = (6.0 / (fan_in + fan_out).max(1) as f64).sqrt();
                (0..n)
                    .map(|_| ((rng.uniform() * 2.0 - 1.0) * limit) as f32)
                    .collect()
            }
            Init::Orthogonal => orthogonal(shape, rng),
        }
    }
}

/// Rows × cols (all leading axes folded into rows) with orthonormal rows or columns,
/// whichever there are fewer of: Gram–Schmidt on a Gaussian matrix, in f64.
fn orthogonal(shape: &[usize], rng: &mut InitRng) -> Vec<f32> {
    let cols = shape.last().copied().unwrap_or(1);
    let rows: usize = shape.iter().product::<usize>() / cols.max(1);
    let (short, long) = if rows < cols {
        (rows, cols)
    } else {
        (cols, rows)
    };
    // `short` orthonormal vectors of length `long`.
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(short);
    while basis.len() < short {
        let mut v: Vec<f64> = (0..long).map(|_| rng.normal()).collect();
        for b in &basis {
            let dot: f64 = v.iter().zip(b).map(|(x, y)| x * y).sum();
            v.iter_mut().zip(b).for_each(|(x, y)| *x -= dot * y);
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 1e-6 {
            basis.push(v.into_iter().map(|x| x / norm).collect());
        }
    }
    let mut out = vec![0.0f32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            out[r * cols + c] = if rows < cols {
                basis[r][c]
            } else {
                basis[c][r]
            } as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glorot_respects_its_limit_and_is_seeded() {
        let a = Init::GlorotUniform.values(&[15, 64], &mut InitRng::new(7));
        let b = Init::GlorotUniform.values(&[15, 64], &mut InitRng::new(7));
        assert_eq!(a, b);
        let limit = (6.0f32 / 79.0).sqrt();
        assert!(a.iter().all(|v| v.abs() <= limit));
        assert!(a.iter().any(|v| v.abs() > 0.9 * limit));
        let mean: f32 = a.iter().sum::<f32>() / a.len() as f32;
        assert!(mean.abs() < 0.05);
    }

    #[test]
    fn orthogonal_rows_or_columns_are_orthonormal() {
        for shape in [[8usize, 32], [32, 8], [6, 6]] {
            let w = Init::Orthogonal.values(&shape, &mut InitRng::new(3));
            let (rows, cols) = (shape[0], shape[1]);
            let wide = rows <= cols;
            let (n, len) = if wide { (rows, cols) } else { (cols, rows) };
            // Element k of vector i: row i when wide, column i otherwise.
            let at = |i: usize, k: usize| {
                if wide {
                    w[i * cols + k]
                } else {
                    w[k * cols + i]
                }
            };
            for i in 0..n {
                for j in 0..n {
                    let dot: f32 = (0..len).map(|k| at(i, k) * at(j, k)).sum();
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((dot - want).abs() < 1e-5, "{shape:?} <{i},{j}> = {dot}");
                }
            }
        }
    }

    #[test]
    fn keras_fans() {
        assert_eq!(fans(&[15, 64]), (15, 64));
        assert_eq!(fans(&[5, 15, 64]), (75, 320)); // Conv1D kernel (k, in, out)
    }
}
