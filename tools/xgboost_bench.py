#!/usr/bin/env python3
"""Times XGBoost `hist` on the same synthetic data as `cargo run --release --example gbdt_bench`.

Usage: python3 tools/xgboost_bench.py [--rows N] [--cols C] [--rounds R] [--leaves L]
                                      [--device cuda|cpu]
The data is tools/lightgbm_bench.py's `synthetic` (bit-for-bit tools/gbdt_synthetic.rs); the
settings mirror gbdt_bench's: learning rate 0.1, 255 bins, leaf-wise growth capped at L
leaves (grow_policy=lossguide, max_leaves=L, max_depth=0), min_child_weight 20 (LightGBM's
min_data_in_leaf for the squared loss, whose hessian is 1). Timed: DMatrix construction
(binning) plus training, as in ours. Prints one line in gbdt_bench's format.
"""

import argparse
import time

import numpy as np
import xgboost as xgb

from lightgbm_bench import synthetic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=28)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=255)
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    a = ap.parse_args()
    x, y = synthetic(a.rows, max(a.cols, 6), 1)
    xt, yt = synthetic(a.rows // 10, max(a.cols, 6), 3)
    params = {
        "objective": "reg:squarederror",
        "tree_method": "hist",
        "device": a.device,
        "learning_rate": 0.1,
        "max_bin": 255,
        "grow_policy": "lossguide",
        "max_leaves": a.leaves,
        "max_depth": 0,
        "min_child_weight": 20,
    }
    start = time.perf_counter()
    booster = xgb.train(params, xgb.QuantileDMatrix(x, y, max_bin=255), a.rounds)
    secs = time.perf_counter() - start
    pred = booster.inplace_predict(xt)
    rmse = float(np.sqrt(np.mean((np.asarray(pred) - yt) ** 2)))
    print(
        f"XGBoost {xgb.__version__} hist on {a.device}: {a.rows} x {a.cols}, {a.rounds} rounds, "
        f"{a.leaves} leaves, 255 bins: train {secs:.2f} s, test RMSE {rmse:.6f}"
    )


if __name__ == "__main__":
    main()
