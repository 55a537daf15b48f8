#!/usr/bin/env python3
"""The four atb-gpu architectures in PyTorch, trained on the very same windows and batches.

Usage:
    cargo run --release --example epoch_bench -- --export /tmp/windows --epochs 2
    python3 tools/torch_reference.py --data /tmp/windows --model-type tcn \
        [--variant default] [--batch-size 32] [--epochs 2] [--device cpu|cuda] \
        [--threads N] [--compile] [--expect-params N] [--json]

Each module mirrors src/models/*.rs layer by layer (docs/models.md): causal Conv1D with
left padding, stacked LSTMs returning sequences with dropout after each, TCN residual blocks
(two dilated causal convolutions with ReLU and dropout, a 1x1 skip convolution when the width
changes, ReLU after the sum), the pre-norm attention block `x + MHA(LayerNorm(x))` read at the
last step (separate Q/K/V projections to heads*key_dim, LayerNorm epsilon 1e-3), and the head
Dense(ReLU) -> dropout -> Dense(1). The trainable parameter count is computed twice, from the
Keras-layout shapes atb-gpu declares and from the torch modules, and asserted equal (and equal
to --expect-params, atb-gpu's own count, when given). torch's LSTM has two bias vectors where
ours has one; the second (bias_hh) is frozen at zero, which computes the same function.

The step is ours: MSE, global-norm clipping at the exported clip_norm, Adam with the exported
learning rate, betas and epsilon (torch adds epsilon to the bias-corrected sqrt(v), Keras to the
uncorrected one; the cost is the same). Epoch e visits order.npy[e] in batches; the last partial
batch is skipped. The data set lives on the device; the loss is read back once per epoch.
Inference: batch-256 windows/s over the test windows (already on the device, each chunk read
back) and single-window latency (upload, forward, readback), as `atb-gpu benchmark` measures.
"""

import argparse
import json
import pathlib
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

VARIANTS = {"lightweight": 0, "default": 1, "deep": 2}


def model_config(model_type, variant, features, steps):
    """The hyperparameters of src/models/config.rs `ModelConfig::new` (no overrides)."""
    v = VARIANTS[variant]
    pick = lambda light, default, deep: (light, default, deep)[v]
    if model_type == "attention_lstm":
        lstm = ([64, 32], [128, 64], [256, 128, 64])[v]
        heads = 4
    else:
        lstm = ([32], [64, 32], [128, 64])[v]
        heads = pick(2, 4, 4)
    return {
        "model_type": model_type,
        "features": features,
        "steps": steps,
        "conv_filters": ([32], [64, 64], [128, 128])[v],
        "lstm_units": lstm,
        "num_filters": pick(32, 64, 128),
        "kernel_size": 3 if model_type == "cnn_lstm" else 5,
        "num_layers": pick(4, 5, 6),
        "heads": heads,
        "key_dim": pick(32, 64, 64),
        "dense_units": pick(16, 32, 64),
        "dropout": 0.2,
    }


def keras_parameter_count(c):
    """Parameters atb-gpu declares for config `c`, from its Keras-layout shapes."""
    conv = lambda k, i, o: k * i * o + o
    lstm = lambda i, u: i * 4 * u + u * 4 * u + 4 * u
    dense = lambda i, o: i * o + o
    total, width = 0, c["features"]
    if c["model_type"] in ("cnn_lstm", "attention_lstm"):
        if c["model_type"] == "cnn_lstm":
            for filters in c["conv_filters"]:
                total += conv(c["kernel_size"], width, filters)
                width = filters
        for units in c["lstm_units"]:
            total += lstm(width, units)
            width = units
    else:
        for _ in range(c["num_layers"]):
            total += conv(c["kernel_size"], width, c["num_filters"])
            total += conv(c["kernel_size"], c["num_filters"], c["num_filters"])
            if width != c["num_filters"]:
                total += conv(1, width, c["num_filters"])
            width = c["num_filters"]
    if c["model_type"] in ("attention_lstm", "tcn_attention"):
        inner = c["heads"] * c["key_dim"]
        total += 3 * dense(width, inner) + dense(inner, width) + 2 * width
    return total + dense(width, c["dense_units"]) + dense(c["dense_units"], 1)


class CausalConv(nn.Module):
    """Keras Conv1D(padding='causal') on [B, C, T]: left padding (k - 1) * dilation."""

    def __init__(self, inputs, filters, kernel, dilation=1):
        super().__init__()
        self.pad = (kernel - 1) * dilation
        self.conv = nn.Conv1d(inputs, filters, kernel, dilation=dilation)

    def forward(self, x):
        return self.conv(F.pad(x, (self.pad, 0)))


class LstmStack(nn.Module):
    """LSTM layers returning sequences, dropout after each; [B, T, F] -> [B, T, units]."""

    def __init__(self, inputs, units, dropout):
        super().__init__()
        self.layers = nn.ModuleList()
        for u in units:
            layer = nn.LSTM(inputs, u, batch_first=True)
            layer.bias_hh_l0.data.zero_()
            layer.bias_hh_l0.requires_grad_(False)
            layer.bias_ih_l0.data.zero_()
            layer.bias_ih_l0.data[u : 2 * u] = 1.0  # Keras unit forget bias
            self.layers.append(layer)
            inputs = u
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        for layer in self.layers:
            x = self.dropout(layer(x)[0])
        return x


class TcnStack(nn.Module):
    """Residual blocks, dilations 1, 2, 4, ...; [B, T, F] -> [B, T, filters]."""

    def __init__(self, inputs, filters, kernel, layers, dropout):
        super().__init__()
        self.blocks = nn.ModuleList()
        for i in range(layers):
            block = nn.Module()
            block.first = CausalConv(inputs, filters, kernel, 2**i)
            block.second = CausalConv(filters, filters, kernel, 2**i)
            block.skip = nn.Conv1d(inputs, filters, 1) if inputs != filters else None
            self.blocks.append(block)
            inputs = filters
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        h = x.transpose(1, 2)
        for b in self.blocks:
            y = self.dropout(F.relu(b.first(h)))
            y = self.dropout(F.relu(b.second(y)))
            h = F.relu(y + (b.skip(h) if b.skip is not None else h))
        return h.transpose(1, 2)


class AttentionPool(nn.Module):
    """`x + MHA(LayerNorm(x))` read at the last step; [B, T, W] -> [B, W]."""

    def __init__(self, width, heads, key_dim):
        super().__init__()
        inner = heads * key_dim
        self.heads, self.key_dim = heads, key_dim
        self.norm = nn.LayerNorm(width, eps=1e-3)
        self.query = nn.Linear(width, inner)
        self.key = nn.Linear(width, inner)
        self.value = nn.Linear(width, inner)
        self.output = nn.Linear(inner, width)

    def forward(self, x):
        b, t, _ = x.shape
        n = self.norm(x)
        split = lambda p: p(n).view(b, t, self.heads, self.key_dim).transpose(1, 2)
        context = F.scaled_dot_product_attention(split(self.query), split(self.key), split(self.value))
        attended = self.output(context.transpose(1, 2).reshape(b, t, -1))
        return (x + attended)[:, -1]


class Head(nn.Module):
    """Dense(units, ReLU) -> dropout -> Dense(1)."""

    def __init__(self, inputs, units, dropout):
        super().__init__()
        self.dense = nn.Linear(inputs, units)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(units, 1)

    def forward(self, x):
        return self.out(self.dropout(F.relu(self.dense(x))))


class CnnLstm(nn.Module):
    def __init__(self, c):
        super().__init__()
        width, convs = c["features"], []
        for filters in c["conv_filters"]:
            convs.append(CausalConv(width, filters, c["kernel_size"]))
            width = filters
        self.convs = nn.ModuleList(convs)
        self.dropout = nn.Dropout(c["dropout"])
        self.lstm = LstmStack(width, c["lstm_units"], c["dropout"])
        self.head = Head(c["lstm_units"][-1], c["dense_units"], c["dropout"])

    def forward(self, x):
        h = x.transpose(1, 2)
        for conv in self.convs:
            h = F.relu(conv(h))
        h = self.lstm(self.dropout(h.transpose(1, 2)))
        return self.head(h[:, -1])


class Tcn(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.stack = TcnStack(c["features"], c["num_filters"], c["kernel_size"], c["num_layers"], c["dropout"])
        self.head = Head(c["num_filters"], c["dense_units"], c["dropout"])

    def forward(self, x):
        return self.head(self.stack(x)[:, -1])


class AttentionModel(nn.Module):
    """An encoder (LSTM or TCN stack), the attention block, the head."""

    def __init__(self, c):
        super().__init__()
        if c["model_type"] == "attention_lstm":
            self.encoder = LstmStack(c["features"], c["lstm_units"], c["dropout"])
            width = c["lstm_units"][-1]
        else:
            self.encoder = TcnStack(c["features"], c["num_filters"], c["kernel_size"], c["num_layers"], c["dropout"])
            width = c["num_filters"]
        self.attention = AttentionPool(width, c["heads"], c["key_dim"])
        self.head = Head(width, c["dense_units"], c["dropout"])

    def forward(self, x):
        return self.head(self.attention(self.encoder(x)))


def build(c):
    """The torch module of config `c` and its trainable parameter count."""
    cls = {"cnn_lstm": CnnLstm, "tcn": Tcn, "attention_lstm": AttentionModel, "tcn_attention": AttentionModel}
    module = cls[c["model_type"]](c)
    return module, sum(p.numel() for p in module.parameters() if p.requires_grad)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def train_epochs(model, step_model, data, orders, args, meta, device):
    """Seconds and mean loss of each epoch."""
    params = [p for p in model.parameters() if p.requires_grad]
    adam = torch.optim.Adam(
        params, lr=meta["learning_rate"], betas=(meta["beta1"], meta["beta2"]), eps=meta["epsilon"]
    )
    x, y = data
    steps = x.shape[0] // args.batch_size
    if steps == 0:
        raise SystemExit(f"batch size {args.batch_size} needs at least that many windows, got {x.shape[0]}")
    seconds, losses = [], []
    model.train()
    for epoch in range(args.epochs):
        order = orders[epoch % orders.shape[0]]
        synchronize(device)
        started = time.perf_counter()
        total = torch.zeros((), device=device)
        for s in range(steps):
            rows = order[s * args.batch_size : (s + 1) * args.batch_size]
            xb, yb = x.index_select(0, rows), y.index_select(0, rows)
            adam.zero_grad(set_to_none=True)
            loss = F.mse_loss(step_model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, meta["clip_norm"])
            adam.step()
            total += loss.detach()
        losses.append(total.item() / steps)
        seconds.append(time.perf_counter() - started)
        print(f"torch_reference: epoch {epoch + 1} {seconds[-1]:.3f} s loss {losses[-1]:.5f}", file=sys.stderr)
    return seconds, losses


@torch.inference_mode()
def inference(model, test_x, device, runs):
    """Batch-256 windows/s over test_x and single-window latency percentiles (ms)."""
    model.eval()
    on_device = torch.from_numpy(test_x).to(device)
    for start in range(0, min(512, len(on_device)), 256):  # warm-up (compiled shapes, caches)
        model(on_device[start : start + 256]).cpu()
    synchronize(device)
    started = time.perf_counter()
    for start in range(0, len(on_device), 256):
        model(on_device[start : start + 256]).cpu()
    throughput = len(on_device) / max(time.perf_counter() - started, 1e-9)
    window = test_x[-1:].copy()
    model(torch.from_numpy(window).to(device)).cpu()
    times = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        model(torch.from_numpy(window).to(device)).cpu()
        times.append((time.perf_counter() - started) * 1e3)
    times.sort()
    at = lambda q: times[round((len(times) - 1) * q)]
    return throughput, at(0.5), at(0.95)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, type=pathlib.Path, help="folder written by epoch_bench --export")
    parser.add_argument("--model-type", default="cnn_lstm", choices=["cnn_lstm", "attention_lstm", "tcn", "tcn_attention"])
    parser.add_argument("--variant", default="default", choices=list(VARIANTS))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads (0: torch's default)")
    parser.add_argument("--compile", action="store_true", help="torch.compile (CUDA graphs on CUDA)")
    parser.add_argument("--expect-params", type=int, help="atb-gpu's trainable parameter count, asserted equal")
    parser.add_argument("--latency-runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("torch_reference: --device cuda but torch.cuda.is_available() is False")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device)

    if not (args.data / "meta.json").is_file():
        raise SystemExit(f"torch_reference: {args.data}/meta.json is missing; run epoch_bench --export {args.data} first")
    meta = json.loads((args.data / "meta.json").read_text())
    train_x = np.load(args.data / "train_x.npy")
    train_y = np.load(args.data / "train_y.npy").reshape(-1, 1)
    test_x = np.load(args.data / "test_x.npy")
    orders = torch.from_numpy(np.load(args.data / "order.npy").astype(np.int64)).to(device)
    c = model_config(args.model_type, args.variant, train_x.shape[2], train_x.shape[1])
    model, torch_count = build(c)
    ours = keras_parameter_count(c)
    print(f"trainable parameters: torch {torch_count}, atb-gpu layout {ours}"
          + (f", atb-gpu reported {args.expect_params}" if args.expect_params else ""), file=sys.stderr)
    assert torch_count == ours, f"torch has {torch_count} trainable parameters, atb-gpu's layout {ours}"
    assert args.expect_params in (None, ours), f"atb-gpu reported {args.expect_params}, the layout gives {ours}"
    model.to(device)
    step_model = model
    if args.compile:
        mode = "reduce-overhead" if device.type == "cuda" else "default"
        step_model = torch.compile(model, mode=mode)
    data = (torch.from_numpy(train_x).to(device), torch.from_numpy(train_y).to(device))
    seconds, losses = train_epochs(model, step_model, data, orders, args, meta, device)
    throughput, p50, p95 = inference(step_model, test_x, device, args.latency_runs)
    report = {
        "model_type": args.model_type,
        "variant": args.variant,
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "compile": args.compile,
        "batch_size": args.batch_size,
        "train_windows": int(train_x.shape[0]),
        "test_windows": int(test_x.shape[0]),
        "steps_per_epoch": int(train_x.shape[0] // args.batch_size),
        "trainable_parameters": torch_count,
        "atb_gpu_parameters": ours,
        "epoch_seconds": seconds,
        "epoch_loss": losses,
        "infer_batch256_windows_per_s": throughput,
        "infer_batch1_ms_p50": p50,
        "infer_batch1_ms_p95": p95,
    }
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for k, v in report.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
