//! `shaders/gbdt_histogram.wgsl`, `shaders/gbdt_partition.wgsl` and `shaders/gbdt_predict.wgsl`
//! vs their CPU references, and whole-booster training on the GPU vs the CPU.
//!
//! Histograms are integer sums of fixed-point values, so GPU and CPU must be exactly equal
//! (no tolerance); so must the stable row partitions and the trees grown from them. GPU predictions sum leaf values in f32
//! (CPU in f64): the forward contract max(1e-5 abs, 1e-4 rel) applies.

use atb_gpu::ComputeDevice;
use atb_gpu::gbdt::device::partition_rule::PartitionRule;
use atb_gpu::gbdt::rng::uniform;
use atb_gpu::gbdt::tree_backend::TreeBackend;
use atb_gpu::gbdt::{
    BinnedMatrix, FeatureMatrix, GbdtParams, LightGbmModel, predict, quantise, train,
};

use crate::common::{assert_close, ctx, gpu, random};

/// Random bins (`bins_per_feature` of them, so some stay empty) and quantised gradients.
fn case(rows: usize, cols: usize, bins_per_feature: usize, seed: u64) -> (BinnedMatrix, Vec<i32>) {
    let bins: Vec<u8> = (0..rows * cols)
        .map(|i| (uniform(seed, 0, i as u64) * bins_per_feature as f64) as u8)
        .collect();
    let grad: Vec<f64> = random(rows, seed)
        .iter()
        .map(|&g| f64::from(g) * 3.0)
        .collect();
    let hess: Vec<f64> = random(rows, seed + 1)
        .iter()
        .map(|&h| f64::from(h.abs()) + 0.5)
        .collect();
    let q = quantise(&grad, &hess, None);
    (BinnedMatrix::from_raw(rows, cols, bins).unwrap(), q.pairs)
}

fn assert_histograms_equal(bins: &BinnedMatrix, pairs: &[i32], leaves: &[Vec<u32>], what: &str) {
    let mut cpu = TreeBackend::cpu(bins);
    let mut gpu_source = TreeBackend::gpu(ctx(), bins).unwrap();
    let q = atb_gpu::gbdt::QuantisedGradients {
        pairs: pairs.to_vec(),
        grad_scale: 1.0,
        hess_scale: 1.0,
    };
    cpu.set_gradients(&q).unwrap();
    gpu_source.set_gradients(&q).unwrap();
    for (i, rows) in leaves.iter().enumerate() {
        // The leaf's rows sit at an offset inside a longer row-id array.
        let mut ids = vec![0u32; 3];
        ids.extend_from_slice(rows);
        ids.push(0);
        cpu.reset_rows(&ids).unwrap();
        gpu_source.reset_rows(&ids).unwrap();
        let want = cpu.build(3, rows.len()).unwrap();
        let got = gpu_source.build(3, rows.len()).unwrap();
        assert_eq!(got.totals().count, rows.len() as i64, "{what}, leaf {i}");
        if got != want {
            let k = (0..want.data().len())
                .find(|&k| got.data()[k] != want.data()[k])
                .unwrap_or(0);
            panic!(
                "{what}, leaf {i} ({} rows): entry {k} (feature {}, bin {}, channel {}) got {} want {}",
                rows.len(),
                k / 768,
                k % 768 / 3,
                k % 3,
                got.data()[k],
                want.data()[k]
            );
        }
    }
}

#[test]
fn histograms_equal_the_cpu_exactly_on_odd_shapes_and_leaves() {
    for (seed, &(rows, cols, nbins)) in [
        (1usize, 1usize, 256usize),
        (7, 3, 5),
        (33, 5, 40),
        (257, 9, 256),
        (5000, 4, 3),
    ]
    .iter()
    .enumerate()
    {
        let (bins, pairs) = case(rows, cols, nbins, seed as u64 + 10);
        let all: Vec<u32> = (0..rows as u32).collect();
        let every_third: Vec<u32> = (0..rows as u32).step_by(3).collect();
        let reversed: Vec<u32> = (0..rows as u32).rev().collect();
        let one_row = vec![(rows / 2) as u32];
        let leaves = [all, every_third, reversed, one_row, Vec::new()];
        assert_histograms_equal(
            &bins,
            &pairs,
            &leaves,
            &format!("{rows}x{cols}, {nbins} bins"),
        );
    }
}

#[test]
fn an_all_equal_feature_at_the_quantisation_bound_does_not_overflow() {
    // 9000 rows with the same bin and the largest gradient: each bin sum reaches the bound.
    let rows = 9000;
    let bins = BinnedMatrix::from_raw(rows, 2, vec![7u8; rows * 2]).unwrap();
    let q = quantise(&vec![-2.0; rows], &vec![1.0; rows], None);
    let all: Vec<u32> = (0..rows as u32).collect();
    assert_histograms_equal(&bins, &q.pairs, std::slice::from_ref(&all), "all equal");
    let mut source = TreeBackend::gpu(ctx(), &bins).unwrap();
    source.set_gradients(&q).unwrap();
    source.reset_rows(&all).unwrap();
    let h = source.build(0, rows).unwrap();
    let s = h.bin(1, 7);
    assert_eq!(s.count, rows as i64);
    assert_eq!(s.grad, -(i64::from(i32::MAX) / rows as i64) * rows as i64);
    assert_eq!(h.bin(1, 6).count, 0, "empty bin");
}

#[test]
fn row_partitions_equal_the_cpu_exactly() {
    for (seed, &(rows, nbins)) in [(1usize, 4usize), (7, 3), (257, 9), (1000, 40), (3001, 255)]
        .iter()
        .enumerate()
    {
        let (bins, _) = case(rows, 6, nbins, seed as u64 + 40);
        let ids: Vec<u32> = (0..rows as u32).rev().collect();
        let mut cpu = TreeBackend::cpu(&bins);
        let mut gpu_backend = TreeBackend::gpu(ctx(), &bins).unwrap();
        cpu.reset_rows(&ids).unwrap();
        gpu_backend.reset_rows(&ids).unwrap();
        // Nested splits on segments at offsets, incl. all-left, all-right and missing bins.
        let begin = rows / 5;
        let count = rows - begin - rows / 7;
        let rules = [
            (nbins / 2, nbins - 1, false),
            (nbins / 3, 1, true),
            (nbins, nbins + 1, true),
            (0, 0, false),
        ];
        for (k, &(threshold_bin, nan_bin, default_left)) in rules.iter().enumerate() {
            let rule = PartitionRule {
                feature: k + 1,
                threshold_bin,
                nan_bin,
                default_left,
            };
            let segment = &cpu.rows().unwrap()[begin..begin + count];
            let left = segment
                .iter()
                .filter(|&&r| rule.goes_left(bins.get(r as usize, rule.feature)))
                .count();
            cpu.partition(begin, count, left, &rule).unwrap();
            gpu_backend.partition(begin, count, left, &rule).unwrap();
            assert_eq!(
                gpu_backend.rows().unwrap(),
                cpu.rows().unwrap(),
                "{rows} rows, rule {k}"
            );
        }
    }
}

/// Nonlinear synthetic regression with missing values in column 1.
fn synthetic(rows: usize, seed: u64) -> (FeatureMatrix, Vec<f32>) {
    let cols = 5;
    let mut values = Vec::new();
    let mut y = Vec::new();
    for r in 0..rows as u64 {
        let x: Vec<f32> = (0..cols as u64)
            .map(|c| uniform(seed, c, r) as f32 * 2.0 - 1.0)
            .collect();
        y.push((3.0 * x[0]).sin() + x[1] * x[2] + 0.1 * uniform(seed, 99, r) as f32);
        for (c, &v) in x.iter().enumerate() {
            values.push(if c == 1 && r % 9 == 0 { f32::NAN } else { v });
        }
    }
    (
        FeatureMatrix::with_default_names(rows, cols, values).unwrap(),
        y,
    )
}

#[test]
fn gpu_training_grows_the_same_trees_as_the_cpu() {
    let (x, y) = synthetic(601, 3);
    let (xv, yv) = synthetic(101, 4);
    let params = GbdtParams::default()
        .num_iterations(4)
        .num_leaves(7)
        .min_data_in_leaf(5)
        .feature_fraction(0.8)
        .bagging_fraction(0.8)
        .bagging_freq(1)
        .seed(11);
    let fit = |device: &ComputeDevice| {
        let model = LightGbmModel::new(params.clone()).unwrap();
        train(model, &x, &y, Some((&xv, &yv)), device).unwrap()
    };
    let on_cpu = fit(&ComputeDevice::Cpu);
    let on_gpu = fit(&gpu());
    assert!(on_cpu.trees().iter().all(|t| t.num_leaves() == 7));
    assert_eq!(on_gpu.trees(), on_cpu.trees(), "identical trees");
    assert_eq!(on_gpu.history(), on_cpu.history(), "identical metrics");
}

#[test]
fn gpu_prediction_matches_the_cpu_on_odd_row_counts() {
    let (x, y) = synthetic(400, 5);
    let params = GbdtParams::default()
        .num_iterations(6)
        .num_leaves(9)
        .min_data_in_leaf(3);
    let model = train(
        LightGbmModel::new(params).unwrap(),
        &x,
        &y,
        None,
        &ComputeDevice::Cpu,
    )
    .unwrap();
    for rows in [1usize, 7, 257] {
        let (xt, _) = synthetic(rows, 6 + rows as u64);
        let want: Vec<f32> = predict(&model, &xt, &ComputeDevice::Cpu)
            .unwrap()
            .iter()
            .map(|&v| v as f32)
            .collect();
        let got: Vec<f32> = predict(&model, &xt, &gpu())
            .unwrap()
            .iter()
            .map(|&v| v as f32)
            .collect();
        assert_close(&got, &want, &format!("predict {rows} rows"));
        let reference = atb_gpu::gbdt::device::predict_cpu::gbdt_predict(
            &BinnedMatrix::new(&xt, model.bin_mappers()),
            model.trees(),
            model.init_score(),
        );
        let reference: Vec<f32> = reference.iter().map(|&v| v as f32).collect();
        assert_close(
            &got,
            &reference,
            &format!("predict {rows} rows vs binned reference"),
        );
    }
    // A model whose only tree is a single leaf (no split passes min_data_in_leaf).
    let params = GbdtParams::default()
        .num_iterations(1)
        .min_data_in_leaf(10_000);
    let stump = train(
        LightGbmModel::new(params).unwrap(),
        &x,
        &y,
        None,
        &ComputeDevice::Cpu,
    )
    .unwrap();
    assert_eq!(stump.trees()[0].num_leaves(), 1);
    let got = predict(&stump, &x, &gpu()).unwrap();
    let want = predict(&stump, &x, &ComputeDevice::Cpu).unwrap();
    let (got, want): (Vec<f32>, Vec<f32>) = got
        .iter()
        .zip(&want)
        .map(|(&a, &b)| (a as f32, b as f32))
        .unzip();
    assert_close(&got, &want, "single-leaf model");
}
