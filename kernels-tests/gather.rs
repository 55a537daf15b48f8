//! `shaders/gather.wgsl` and `shaders/counter.wgsl` vs `cpu::gather`.

use atb_gpu::ops::{self, RowIndices, StepCounter};
use atb_gpu::{AtbError, ComputeDevice, Tensor};

use crate::common::{gpu, random_tensor};

#[test]
fn slices_along_every_axis_match_cpu() {
    let x = random_tensor(&[3, 7, 5], 1);
    let xg = x.to_device(&gpu()).unwrap();
    for (axis, start, len) in [
        (0, 1, 2),
        (1, 6, 1),
        (1, 0, 7),
        (1, 2, 3),
        (2, 4, 1),
        (2, 0, 0),
    ] {
        let want = ops::slice(&x, axis, start, len).unwrap();
        let got = ops::slice(&xg, axis, start, len).unwrap();
        assert_eq!(got.shape(), want.shape());
        assert_eq!(
            got.to_vec().unwrap(),
            want.to_vec().unwrap(),
            "axis {axis} {start}+{len}"
        );
    }
    // The last time step of [B, T, H] is the rows t = T-1.
    let last = ops::slice(&x, 1, 6, 1).unwrap().to_vec().unwrap();
    let all = x.to_vec().unwrap();
    for b in 0..3 {
        assert_eq!(
            &last[b * 5..(b + 1) * 5],
            &all[(b * 7 + 6) * 5..(b * 7 + 7) * 5]
        );
    }
}

#[test]
fn concat_is_the_inverse_of_slicing() {
    let x = random_tensor(&[4, 9, 33], 2);
    for device in [ComputeDevice::Cpu, gpu()] {
        let xd = x.to_device(&device).unwrap();
        for axis in 0..3 {
            let size = x.shape()[axis];
            let a = ops::slice(&xd, axis, 0, 1).unwrap();
            let b = ops::slice(&xd, axis, 1, size - 2).unwrap();
            let c = ops::slice(&xd, axis, size - 1, 1).unwrap();
            let joined = ops::concat(&[&a, &b, &c], axis).unwrap();
            assert_eq!(joined.shape(), x.shape());
            assert_eq!(
                joined.to_vec().unwrap(),
                x.to_vec().unwrap(),
                "{device:?} axis {axis}"
            );
        }
    }
}

#[test]
fn bad_windows_are_errors() {
    let x = random_tensor(&[2, 3], 3);
    assert!(matches!(
        ops::slice(&x, 1, 2, 2),
        Err(AtbError::Shape { op: "slice", .. })
    ));
    assert!(matches!(
        ops::slice(&x, 2, 0, 1),
        Err(AtbError::Shape { op: "slice", .. })
    ));
    let y = random_tensor(&[3, 3], 4);
    assert!(matches!(
        ops::concat(&[&x, &y], 1),
        Err(AtbError::Shape { op: "concat", .. })
    ));
    assert!(matches!(
        ops::concat(&[], 0),
        Err(AtbError::Shape { op: "concat", .. })
    ));
}

#[test]
fn gather_rows_follows_the_device_counter() {
    let table = random_tensor(&[10, 7], 5);
    let order: Vec<u32> = vec![9, 0, 3, 3, 7, 1];
    let mut results = Vec::new();
    for device in [ComputeDevice::Cpu, gpu()] {
        let table = table.to_device(&device).unwrap();
        let indices = RowIndices::new(&device, order.clone()).unwrap();
        let counter = StepCounter::new(&device, 2).unwrap();
        let mut batches = Vec::new();
        for _ in 0..3 {
            let batch = ops::gather_rows(&table, &indices, &counter, 1, 2).unwrap();
            batches.push(batch.to_vec().unwrap());
            counter.advance(1, 1).unwrap();
        }
        assert_eq!(counter.get(1).unwrap(), 3);
        assert_eq!(counter.get(0).unwrap(), 0);
        results.push(batches);
    }
    assert_eq!(results[0], results[1], "CPU and GPU gather the same rows");
    let all = table.to_vec().unwrap();
    let row = |r: usize| all[r * 7..(r + 1) * 7].to_vec();
    assert_eq!(results[0][0], [row(9), row(0)].concat());
    assert_eq!(results[0][2], [row(7), row(1)].concat());
}

#[test]
fn cpu_gather_checks_its_indices() {
    let table = Tensor::from_vec(&[2, 1], vec![1.0, 2.0]).unwrap();
    let indices = RowIndices::new(&ComputeDevice::Cpu, vec![0, 5]).unwrap();
    let counter = StepCounter::new(&ComputeDevice::Cpu, 1).unwrap();
    let err = ops::gather_rows(&table, &indices, &counter, 0, 2).unwrap_err();
    assert!(err.to_string().contains("row index 5"), "{err}");
    counter.advance(0, 1).unwrap();
    let err = ops::gather_rows(&table, &indices, &counter, 0, 2).unwrap_err();
    assert!(err.to_string().contains("runs past"), "{err}");
}
