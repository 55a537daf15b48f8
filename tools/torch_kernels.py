#!/usr/bin/env python3
"""PyTorch timings at the shapes of atb-gpu's criterion kernels (benches/kernels*.rs).

Usage: python3 tools/torch_kernels.py [--device cuda|cpu] [--smoke] [--json]

- matmul: torch.matmul of two f32 matrices, 4096^3 (TF32 off, so it is f32 FMA like ours);
- lstm: one nn.LSTM layer (cuDNN on CUDA), F = 15 inputs, hidden 128, batch 256, T = 60,
  forward and forward + backward;
- attention: the core softmax(QK^T/sqrt(dk))V of 4 heads x 64 over T = 60 at batch 256
  (scaled_dot_product_attention, as our attention kernel) and nn.MultiheadAttention of the
  same width (its projections included), forward and forward + backward;
- conv1d: the TCN stack of the bench (15 -> 64 then 64 -> 64, kernel 5, dilations 1..16,
  causal padding), batch 256, forward and forward + backward.

FLOPs are counted as the Rust benches count them, so GFLOP/s compare directly. `--smoke`
uses tiny shapes and a few repetitions (for the device report's smoke test).
"""

import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F


def timed(fn, device, min_seconds, warmup=3):
    """Mean seconds of one call of fn, over at least min_seconds (after warm-up)."""
    for _ in range(warmup):
        fn()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    runs, started = 0, time.perf_counter()
    while True:
        fn()
        runs += 1
        sync()
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds and runs >= 3:
            return elapsed / runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--smoke", action="store_true", help="tiny shapes, a few runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("torch_kernels: --device cuda but torch.cuda.is_available() is False")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device)
    size, batch, hidden, steps = (256, 8, 32, 20) if args.smoke else (4096, 256, 128, 60)
    min_seconds = 0.05 if args.smoke else 1.0
    features, heads, key_dim, filters, kernel = 15, 4, 64, 64, 5
    rows = []

    def record(kernel_name, shape, seconds, flops):
        rows.append({"kernel": kernel_name, "shape": shape, "ms": seconds * 1e3, "gflops": flops / seconds / 1e9})

    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    record("torch.matmul", f"{size}x{size}x{size}", timed(lambda: a @ b, device, min_seconds), 2 * size**3)

    lstm = nn.LSTM(features, hidden, batch_first=True).to(device)
    x = torch.randn(batch, steps, features, device=device, requires_grad=True)
    lstm_flops = 2 * batch * steps * 4 * hidden * (features + hidden)
    shape = f"b{batch}_t{steps}_f{features}_h{hidden}"
    record("nn.LSTM forward", shape, timed(lambda: lstm(x)[0], device, min_seconds), lstm_flops)
    record(
        "nn.LSTM forward_backward", shape, timed(lambda: lstm(x)[0].sum().backward(), device, min_seconds), 3 * lstm_flops
    )

    q, k, v = (torch.randn(batch, heads, steps, key_dim, device=device, requires_grad=True) for _ in range(3))
    attention_flops = 2 * batch * heads * steps * steps * (key_dim + key_dim)
    shape = f"b{batch}_t{steps}_h{heads}_dk{key_dim}"
    core = lambda: F.scaled_dot_product_attention(q, k, v)
    record("scaled_dot_product_attention forward", shape, timed(core, device, min_seconds), attention_flops)
    record(
        "scaled_dot_product_attention forward_backward",
        shape,
        timed(lambda: core().sum().backward(), device, min_seconds),
        3 * attention_flops,
    )
    width = heads * key_dim
    mha = nn.MultiheadAttention(width, heads, batch_first=True).to(device)
    h = torch.randn(batch, steps, width, device=device, requires_grad=True)
    projections = 2 * batch * steps * width * width * 4
    mha_call = lambda: mha(h, h, h, need_weights=False)[0]
    record("nn.MultiheadAttention forward", shape, timed(mha_call, device, min_seconds), attention_flops + projections)
    record(
        "nn.MultiheadAttention forward_backward",
        shape,
        timed(lambda: mha_call().sum().backward(), device, min_seconds),
        3 * (attention_flops + projections),
    )

    dilations = [1, 2, 4, 8, 16]
    convs = [nn.Conv1d(features if i == 0 else filters, filters, kernel, dilation=d).to(device) for i, d in enumerate(dilations)]
    xc = torch.randn(batch, features, steps, device=device, requires_grad=True)

    def stack():
        y = xc
        for conv, d in zip(convs, dilations):
            y = conv(F.pad(y, ((kernel - 1) * d, 0)))
        return y

    conv_flops = sum(2 * batch * steps * kernel * (features if i == 0 else filters) * filters for i in range(len(dilations)))
    shape = f"b{batch}_t{steps}_f{features}_c{filters}_k{kernel}"
    record("nn.Conv1d stack forward", shape, timed(stack, device, min_seconds), conv_flops)
    record(
        "nn.Conv1d stack forward_backward", shape, timed(lambda: stack().sum().backward(), device, min_seconds), 3 * conv_flops
    )

    report = {
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "tf32": False,
        "rows": rows,
    }
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for r in rows:
            print(f"{r['kernel']:48} {r['shape']:28} {r['ms']:10.3f} ms {r['gflops']:10.1f} GFLOP/s")


if __name__ == "__main__":
    main()
