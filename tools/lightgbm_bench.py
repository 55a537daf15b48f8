#!/usr/bin/env python3
"""Times LightGBM on the same synthetic data as `cargo run --release --example gbdt_bench`.

Usage: python3 tools/lightgbm_bench.py [--rows N] [--cols C] [--rounds R] [--leaves L]
                                       [--threads T]
Defaults match gbdt_bench: 1,000,000 x 28, 100 rounds, 255 leaves, 255 bins, learning rate
0.1, min_data_in_leaf 20. The data is generated bit-for-bit as tools/gbdt_synthetic.rs does
(the same SplitMix64 counter hash); labels may differ in the last bit where numpy's float32
sin differs from Rust's. Timed: Dataset construction (binning) plus training, as in ours.
"""

import argparse
import time

import numpy as np

M = np.uint64(0xFFFFFFFFFFFFFFFF)


def hash3(seed, stream, counter):
    """SplitMix64 finaliser of (seed, stream, counter), as src/gbdt/rng.rs `hash3`."""
    with np.errstate(over="ignore"):
        z = (
            np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
            + np.uint64(stream) * np.uint64(0xD1B54A32D192ED03)
            + counter.astype(np.uint64) * np.uint64(0x8CB92BA72F3D8DD7)
            + np.uint64(0x9E3779B97F4A7C15)
        )
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform(seed, stream, counter):
    return (hash3(seed, stream, counter) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def synthetic(rows, cols, seed):
    """tools/gbdt_synthetic.rs `synthetic`."""
    r = np.arange(rows, dtype=np.uint64)
    f32 = np.float32
    x = np.stack(
        [uniform(seed, c, r).astype(f32) * f32(2) - f32(1) for c in range(cols)], axis=1
    )
    noise = (uniform(seed, 1000, r).astype(f32) - f32(0.5)) * f32(1)
    y = (
        f32(3) * np.sin(f32(2) * x[:, 0])
        + f32(2) * x[:, 1] * x[:, 2]
        + x[:, 3] * x[:, 3]
        - f32(2) / (f32(1) + np.exp(f32(-8) * (x[:, 4] - f32(0.3))))
        + np.abs(x[:, 5])
        + noise
    ).astype(f32)
    x[uniform(seed, 2000, r) < 0.03, 1] = np.nan
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=28)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=255)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    import lightgbm as lgb  # here, so xgboost_bench.py can import synthetic() without it
    x, y = synthetic(a.rows, max(a.cols, 6), 1)
    xt, yt = synthetic(a.rows // 10, max(a.cols, 6), 3)
    params = dict(
        objective="regression",
        learning_rate=0.1,
        num_leaves=a.leaves,
        max_bin=255,
        min_data_in_leaf=20,
        verbose=-1,
        num_threads=a.threads,
        deterministic=True,
    )
    start = time.perf_counter()
    booster = lgb.train(params, lgb.Dataset(x, y), a.rounds)
    secs = time.perf_counter() - start
    rmse = float(np.sqrt(np.mean((booster.predict(xt) - yt) ** 2)))
    print(
        f"LightGBM {lgb.__version__}: {a.rows} x {a.cols}, {a.rounds} rounds, {a.leaves} leaves, "
        f"255 bins, {a.threads or 'default'} threads: train {secs:.2f} s, test RMSE {rmse:.6f}"
    )


if __name__ == "__main__":
    main()
