#!/usr/bin/env python3
"""Checks atb-gpu's gradient-boosting model against LightGBM.

Usage: python3 tools/lightgbm_parity.py DIR   (needs: pip install lightgbm numpy pandas)

DIR holds what `cargo run --release --example gbdt_parity -- DIR` writes:
  model.txt             our model in LightGBM's text format
  train.csv             training features + `label`
  validation.csv        validation features + `label`
  test_predictions.csv  test features (named as in model.txt), `prediction` (ours), `label`

1. lightgbm.Booster(model_file=DIR/model.txt) must predict our test predictions to within a
   max relative difference of 1e-6 (it routes rows by our thresholds, so it should be exact).
2. LightGBM trained with the parameters in model.txt's `parameters:` section, on the same
   data (early stopping on validation.csv), gives a test RMSE; ours must be within 1% of it.
Exit status 0 when both hold, 1 otherwise (with a message saying which failed).
"""

import os
import re
import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

PREDICTION_RTOL = 1e-6
RMSE_TOLERANCE = 0.01


def read_parameters(model_text):
    """The `[key: value]` lines of model.txt's parameters section, as a dict of strings."""
    section = model_text.split("parameters:", 1)[1].split("end of parameters", 1)[0]
    return dict(re.findall(r"^\[(\w+): (.*)\]$", section, flags=re.M))


def lightgbm_params(ours, threads):
    """LightGBM training parameters equal to ours."""
    keep = {
        "objective": str,
        "learning_rate": float,
        "num_leaves": int,
        "max_depth": int,
        "min_data_in_leaf": int,
        "min_sum_hessian_in_leaf": float,
        "bagging_fraction": float,
        "bagging_freq": int,
        "feature_fraction": float,
        "lambda_l1": float,
        "lambda_l2": float,
        "min_gain_to_split": float,
        "max_bin": int,
        "seed": int,
    }
    params = {k: cast(ours[k]) for k, cast in keep.items() if k in ours}
    params.update(verbose=-1, num_threads=threads, deterministic=True, force_row_wise=True)
    return params


def rmse(pred, label):
    return float(np.sqrt(np.mean((np.asarray(pred) - np.asarray(label)) ** 2)))


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[1])
    model_text = (root / "model.txt").read_text()
    booster = lgb.Booster(model_file=str(root / "model.txt"))
    names = booster.feature_name()
    test = pd.read_csv(root / "test_predictions.csv")
    missing = [n for n in names + ["prediction", "label"] if n not in test.columns]
    if missing:
        print(f"FAIL: test_predictions.csv lacks columns {missing}", file=sys.stderr)
        return 1
    ours = test["prediction"].to_numpy()
    theirs = booster.predict(test[names].to_numpy(dtype=np.float64))
    rel = np.abs(theirs - ours) / np.maximum(np.abs(ours), 1e-12)
    worst = int(np.argmax(rel))
    print(
        f"prediction parity: {len(ours)} rows, {booster.num_trees()} trees, "
        f"max relative difference {rel[worst]:.3e} (row {worst}: ours {float(ours[worst])!r}, "
        f"LightGBM {float(theirs[worst])!r})"
    )
    failed = False
    if not rel[worst] <= PREDICTION_RTOL:
        print(
            f"FAIL: LightGBM's predictions from our model.txt differ from ours by more than "
            f"{PREDICTION_RTOL:g} relative",
            file=sys.stderr,
        )
        failed = True

    ours_params = read_parameters(model_text)
    train = pd.read_csv(root / "train.csv")
    valid = pd.read_csv(root / "validation.csv")
    # LIGHTGBM_THREADS sets LightGBM's thread count (default: LightGBM's choice).
    threads = int(os.environ.get("LIGHTGBM_THREADS", "0"))
    params = lightgbm_params(ours_params, threads)
    rounds = int(ours_params.get("num_iterations", 100))
    stop = int(ours_params.get("early_stopping_round", 0))
    dtrain = lgb.Dataset(train[names], train["label"])
    dvalid = lgb.Dataset(valid[names], valid["label"], reference=dtrain)
    callbacks = [lgb.early_stopping(stop, verbose=False)] if stop > 0 else []
    reference = lgb.train(
        params, dtrain, rounds, valid_sets=[dvalid], callbacks=callbacks
    )
    best = reference.best_iteration or None
    their_rmse = rmse(reference.predict(test[names], num_iteration=best), test["label"])
    our_rmse = rmse(ours, test["label"])
    ratio = our_rmse / their_rmse
    print(
        f"test RMSE: atb-gpu {our_rmse:.6f} ({booster.num_trees()} trees), "
        f"LightGBM {lgb.__version__} {their_rmse:.6f} ({reference.best_iteration or rounds} trees), "
        f"ratio {ratio:.4f}"
    )
    if abs(ratio - 1.0) > RMSE_TOLERANCE:
        print(
            f"FAIL: our test RMSE is not within {RMSE_TOLERANCE:.0%} of LightGBM's",
            file=sys.stderr,
        )
        failed = True
    if not failed:
        print("OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
