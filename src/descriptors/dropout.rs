//! The launch constants of one dropout mask and the integer hash behind them, shared by
//! `shaders/dropout.wgsl`'s launcher and its CPU reference so masks are bit-identical.

/// The launch constants of one dropout mask, derived once from (rate, seed, step).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropoutMask {
    /// An element is kept when its hash is at least this (`round(rate · 2³²)`).
    pub threshold: u32,
    /// `1 / (1 - rate)`, the inverted-dropout scale of kept elements.
    pub scale: f32,
    /// The run's seed.
    pub seed: u64,
    /// The training step (a new mask every step).
    pub step: u64,
    /// The hash of (seed, step) that every element's hash starts from.
    key: u32,
}

impl DropoutMask {
    /// The mask for `rate` in [0, 1) (checked by the caller), `seed` and `step`.
    pub fn new(rate: f32, seed: u64, step: u64) -> DropoutMask {
        let threshold = (f64::from(rate) * 4_294_967_296.0).round();
        DropoutMask {
            threshold: threshold.min(f64::from(u32::MAX)) as u32,
            scale: (1.0 / (1.0 - f64::from(rate))) as f32,
            seed,
            step,
            key: key(seed, step),
        }
    }

    /// Whether flat element `index` is kept.
    pub fn kept(&self, index: u32) -> bool {
        pcg(index ^ self.key) >= self.threshold
    }
}

/// PCG-RXS-M-XS 32-bit output hash (Jarzynski & Olano 2020), as `pcg` in the shader.
pub fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// `pcg(seed_lo ^ pcg(seed_hi ^ pcg(step_lo ^ pcg(step_hi))))`, as `kept` in the shader.
fn key(seed: u64, step: u64) -> u32 {
    let (seed_lo, seed_hi) = (seed as u32, (seed >> 32) as u32);
    let (step_lo, step_hi) = (step as u32, (step >> 32) as u32);
    pcg(seed_lo ^ pcg(seed_hi ^ pcg(step_lo ^ pcg(step_hi))))
}
