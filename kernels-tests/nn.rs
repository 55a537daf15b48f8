//! Layers, parameters on a device, pooling and the device accumulator.

use atb_gpu::activation::Activation;
use atb_gpu::autograd::{Tape, Var};
use atb_gpu::nn::{self, Init, Linear, ParamBuilder};
use atb_gpu::ops::{Accumulator, MatmulOptions};
use atb_gpu::{ComputeDevice, Tensor};

use crate::common::{gpu, random_tensor};
use crate::gradcheck::{check, weighted_sum};

fn model(seed: u64) -> (ParamBuilder, Linear, Linear) {
    let mut builder = ParamBuilder::new(seed);
    let hidden = Linear::new(&mut builder, "hidden", 7, 33, Activation::Relu);
    let out = Linear::new(&mut builder, "out", 33, 1, Activation::None);
    (builder, hidden, out)
}

#[test]
fn parameters_are_identical_on_every_device_and_views_of_one_buffer_on_the_gpu() {
    let (cpu_builder, ..) = model(42);
    let (gpu_builder, ..) = model(42);
    let on_cpu = cpu_builder.build(&ComputeDevice::Cpu).unwrap();
    let on_gpu = gpu_builder.build(&gpu()).unwrap();
    assert_eq!(on_cpu.to_host().unwrap(), on_gpu.to_host().unwrap());
    assert_eq!(on_gpu.count(), 7 * 33 + 33 + 33 + 1);
    let flat = on_gpu.flat().expect("a GPU has flat buffers");
    let all: Vec<f32> = on_gpu.device().gpu().unwrap().read(&flat.values).unwrap();
    for (entry, host) in on_gpu.entries().iter().zip(on_gpu.to_host().unwrap()) {
        assert_eq!(
            &all[entry.offset..entry.offset + entry.len],
            host.values.as_slice(),
            "{}",
            entry.name
        );
    }
    assert!(on_cpu.flat().is_none());
}

#[test]
fn gradients_land_in_the_flat_gradient_buffer() {
    let (builder, hidden, out) = model(1);
    let params = builder.build(&gpu()).unwrap();
    let tape = Tape::new();
    let x = tape.constant(random_tensor(&[5, 7], 2).to_device(&gpu()).unwrap());
    let y = out
        .forward(&tape, &params, &hidden.forward(&tape, &params, &x).unwrap())
        .unwrap();
    let target = tape.constant(random_tensor(&[5, 1], 3).to_device(&gpu()).unwrap());
    let loss = tape.mse(&y, &target).unwrap();
    let grads = params
        .gather_gradients(&tape.backward(&loss).unwrap())
        .unwrap();
    let flat: Vec<f32> = params
        .device()
        .gpu()
        .unwrap()
        .read(&params.flat().unwrap().grads)
        .unwrap();
    for (entry, grad) in params.entries().iter().zip(&grads) {
        assert_eq!(
            &flat[entry.offset..entry.offset + entry.len],
            grad.to_vec().unwrap().as_slice()
        );
        assert!(
            grad.to_vec().unwrap().iter().any(|g| *g != 0.0),
            "{} got a gradient",
            entry.name
        );
    }
}

#[test]
fn loading_saved_values_restores_the_model() {
    for device in [ComputeDevice::Cpu, gpu()] {
        let (builder, ..) = model(5);
        let saved: Vec<(String, Vec<f32>)> = builder
            .build(&device)
            .unwrap()
            .to_host()
            .unwrap()
            .into_iter()
            .map(|h| (h.name, h.values))
            .collect();
        let (other, ..) = model(6);
        let mut params = other.build(&device).unwrap();
        assert_ne!(params.to_host().unwrap()[0].values, saved[0].1);
        params.load(&saved).unwrap();
        let loaded: Vec<Vec<f32>> = params
            .to_host()
            .unwrap()
            .into_iter()
            .map(|h| h.values)
            .collect();
        assert_eq!(
            loaded,
            saved.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()
        );
        let err = params.load(&saved[1..]).unwrap_err();
        assert!(err.to_string().contains("hidden/kernel"), "{err}");
    }
}

#[test]
fn pooling_gradients() {
    let mean = |t: &Tape, v: &[Var]| weighted_sum(t, &nn::mean_over_time(t, &v[0])?, 1);
    check("mean over time", &mean, vec![random_tensor(&[3, 5, 4], 1)]);
    let last = |t: &Tape, v: &[Var]| weighted_sum(t, &nn::last_step(t, &v[0])?, 2);
    check("last step", &last, vec![random_tensor(&[3, 5, 4], 2)]);
    let tape = Tape::new();
    let flat = tape.constant(random_tensor(&[3, 4], 3));
    assert!(nn::mean_over_time(&tape, &flat).is_err());
}

#[test]
fn a_linear_layer_matches_its_definition() {
    let (builder, hidden, _) = model(9);
    let params = builder.build(&ComputeDevice::Cpu).unwrap();
    let tape = Tape::new();
    let x = random_tensor(&[4, 7], 10);
    let y = hidden
        .forward(&tape, &params, &tape.constant(x.clone()))
        .unwrap();
    let opts = MatmulOptions {
        activation: Activation::Relu,
        ..Default::default()
    };
    let want = atb_gpu::ops::matmul(&x, params.value(0), Some(params.value(1)), &opts).unwrap();
    assert_eq!(y.value().to_vec().unwrap(), want.to_vec().unwrap());
    assert_eq!(
        Init::Zeros.values(&[3], &mut nn::InitRng::new(0)),
        vec![0.0; 3]
    );
}

#[test]
fn accumulators_sum_on_the_device_until_read() {
    for device in [ComputeDevice::Cpu, gpu()] {
        let acc = Accumulator::new(&device, 2).unwrap();
        for v in [[1.0f32, 2.0], [0.5, -1.0], [2.0, 4.0]] {
            acc.add(
                &Tensor::from_vec(&[2], v.to_vec())
                    .unwrap()
                    .to_device(&device)
                    .unwrap(),
            )
            .unwrap();
        }
        assert_eq!(acc.take().unwrap(), vec![3.5, 5.0]);
        assert_eq!(
            acc.take().unwrap(),
            vec![0.0, 0.0],
            "{device:?}: reading resets"
        );
        let wrong = Tensor::from_vec(&[3], vec![0.0; 3])
            .unwrap()
            .to_device(&device)
            .unwrap();
        assert!(acc.add(&wrong).is_err());
    }
}

#[test]
fn lstm_layer_gradients_and_keras_initialisation() {
    let build = |t: &Tape, v: &[Var]| {
        let h = t.lstm(&v[0], &v[1], &v[2], &v[3])?;
        weighted_sum(t, &nn::last_step(t, &h)?, 7)
    };
    check(
        "lstm rule",
        &build,
        vec![
            random_tensor(&[2, 4, 3], 1),
            random_tensor(&[3, 20], 2),
            random_tensor(&[5, 20], 3),
            random_tensor(&[20], 4),
        ],
    );
    let mut builder = ParamBuilder::new(3);
    let layer = nn::Lstm::new(&mut builder, "lstm_0", 15, 8).unwrap();
    let params = builder.build(&ComputeDevice::Cpu).unwrap();
    let bias = params.value(2).to_vec().unwrap();
    assert_eq!(&bias[8..16], &[1.0; 8], "unit forget bias");
    assert!(bias[..8].iter().chain(&bias[16..]).all(|b| *b == 0.0));
    let tape = Tape::new();
    let out = layer
        .forward(
            &tape,
            &params,
            &tape.constant(random_tensor(&[3, 6, 15], 5)),
        )
        .unwrap();
    assert_eq!(out.shape(), &[3, 6, 8]);
    assert_eq!(layer.units(), 8);
    assert!(builder_rejects_bad_values());
}

fn builder_rejects_bad_values() -> bool {
    ParamBuilder::new(0)
        .add_values("x", &[2, 2], vec![0.0; 3], true)
        .is_err()
}

#[test]
fn attention_and_convolution_layers() {
    for device in [ComputeDevice::Cpu, gpu()] {
        let mut builder = ParamBuilder::new(11);
        let mha = nn::MultiHeadAttention::new(&mut builder, "mha", 8, 2, 3, false);
        let conv = nn::Conv1d::new(&mut builder, "conv", 8, 5, 3, 2, Activation::Relu);
        let params = builder.build(&device).unwrap();
        let tape = Tape::new();
        let x = tape.constant(random_tensor(&[2, 6, 8], 12).to_device(&device).unwrap());
        let (y, weights) = mha.forward(&tape, &params, &x, true).unwrap();
        assert_eq!(y.shape(), &[2, 6, 8]);
        let weights = weights.expect("weights were asked for");
        assert_eq!(weights.shape(), &[2, 2, 6, 6]);
        for row in weights.to_vec().unwrap().chunks(6) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
        let c = conv.forward(&tape, &params, &y).unwrap();
        assert_eq!(c.shape(), &[2, 6, 5]);
        assert!(
            c.value().to_vec().unwrap().iter().all(|v| *v >= 0.0),
            "relu output"
        );
        let loss = tape
            .mse(
                &nn::last_step(&tape, &c).unwrap(),
                &tape.constant(
                    Tensor::from_vec(&[2, 5], vec![0.5; 10])
                        .unwrap()
                        .to_device(&device)
                        .unwrap(),
                ),
            )
            .unwrap();
        let grads = tape.backward(&loss).unwrap();
        assert_eq!(
            grads.len(),
            params.len(),
            "every projection and the convolution get gradients"
        );
    }
}
