#!/usr/bin/env python3
"""Loads atb-gpu's exported ONNX files in onnxruntime and compares them with our predictions.

Usage: python3 tools/onnx_check.py BUNDLE.json [BUNDLE.json ...]
       (needs: pip install onnxruntime onnx numpy)

Each BUNDLE is what `atb-gpu export SYMBOL --out FILE.onnx --check-out BUNDLE.json` writes:
  model           the ONNX file (path as given to --out)
  model_type      cnn_lstm, attention_lstm, tcn, tcn_attention or lightgbm
  input           the graph input's name (`window` [batch, T, F] or `features` [batch, F])
  shape           the shape of the check samples
  inputs          the samples, flattened row-major (f32 values)
  expected        our predictions for them
  relative_bound  the bound the export must meet (1e-4)

Each file first passes onnx's own checker with full shape inference (the schema of every
operator at the file's opsets), then runs in onnxruntime. The difference is measured as
atb-gpu measures it: max |ours - onnxruntime| / max |ours|.
Exit status 0 when every file is within its bound, 1 otherwise (naming the files that fail).
"""

import json
import sys

import numpy as np
import onnx
import onnxruntime as ort


def check(bundle_path):
    """(passed, one line for the log) for one bundle."""
    with open(bundle_path) as f:
        bundle = json.load(f)
    onnx.checker.check_model(onnx.load(bundle["model"]), full_check=True)
    session = ort.InferenceSession(bundle["model"], providers=["CPUExecutionProvider"])
    x = np.asarray(bundle["inputs"], dtype=np.float32).reshape(bundle["shape"])
    (out,) = session.run(["forecast"], {bundle["input"]: x})
    ours = np.asarray(bundle["expected"], dtype=np.float64)
    theirs = np.asarray(out, dtype=np.float64).reshape(-1)
    if theirs.shape != ours.shape or not np.all(np.isfinite(theirs)):
        return False, f"{bundle['model']}: onnxruntime returned {out.shape} values, some not finite"
    max_abs = float(np.max(np.abs(theirs - ours)))
    scale = float(np.max(np.abs(ours)))
    max_rel = max_abs / scale if scale > 0 else max_abs
    passed = max_rel <= bundle["relative_bound"]
    verdict = "ok" if passed else "FAILED"
    line = (
        f"{bundle['model']} ({bundle['model_type']}, {len(ours)} samples, onnxruntime "
        f"{ort.__version__}): max abs diff {max_abs:.3e}, max rel diff {max_rel:.3e} "
        f"(bound {bundle['relative_bound']:g}) {verdict}"
    )
    return passed, line


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    failed = []
    for path in sys.argv[1:]:
        passed, line = check(path)
        print(line)
        if not passed:
            failed.append(path)
    if failed:
        print(f"onnx_check: {len(failed)} export(s) outside the bound: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
