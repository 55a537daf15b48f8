//! A seeded synthetic regression set shared by the `gbdt_parity` and `gbdt_bench` examples:
//! `y = 3 sin(2 x0) + 2 x1 x2 + x3² − 2·σ(8 (x4 − 0.3)) + |x5| + noise`
//! (a steep sigmoid rather than a step: a step's fitted position depends on exactly where the
//! bin boundaries fall, which would make the LightGBM comparison a coin toss), other columns noise, with
//! about 3 % of column 1 missing (`NaN`).

use atb_gpu::gbdt::FeatureMatrix;
use atb_gpu::gbdt::rng::uniform;

/// `rows × cols` features (uniform in [-1, 1), `cols >= 6`) and labels.
pub fn synthetic(rows: usize, cols: usize, seed: u64) -> (FeatureMatrix, Vec<f32>) {
    let mut values = Vec::with_capacity(rows * cols);
    let mut labels = Vec::with_capacity(rows);
    for r in 0..rows as u64 {
        let x: Vec<f32> = (0..cols as u64)
            .map(|c| uniform(seed, c, r) as f32 * 2.0 - 1.0)
            .collect();
        let noise = (uniform(seed, 1000, r) as f32 - 0.5) * 1.0;
        let y = 3.0 * (2.0 * x[0]).sin() + 2.0 * x[1] * x[2] + x[3] * x[3]
            - 2.0 / (1.0 + (-8.0 * (x[4] - 0.3)).exp())
            + x[5].abs()
            + noise;
        labels.push(y);
        for (c, &v) in x.iter().enumerate() {
            let missing = c == 1 && uniform(seed, 2000, r) < 0.03;
            values.push(if missing { f32::NAN } else { v });
        }
    }
    let names = (0..cols).map(|c| format!("feature_{c}")).collect();
    let matrix = FeatureMatrix::new(rows, cols, values, names).unwrap_or_else(|e| {
        eprintln!("synthetic data: {e}");
        std::process::exit(2)
    });
    (matrix, labels)
}
