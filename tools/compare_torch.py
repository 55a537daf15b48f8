#!/usr/bin/env python3
"""atb-gpu against PyTorch eager on the same machine, windows and batches: the ratio table.

Usage:
    cargo build --release --example epoch_bench
    python3 tools/compare_torch.py [--threads 1,2] [--batch-size 32,256] [--epochs 2]
        [--days 365] [--models cnn_lstm,attention_lstm,tcn,tcn_attention]
        [--device cpu|cuda] [--bench target/release/examples/epoch_bench] [--json FILE]

Runs, per architecture, batch size and thread count, ours (tools/epoch_bench.rs) and then
tools/torch_reference.py on the windows and epoch orders the first epoch_bench run exported,
interleaved (ours, torch, ours, torch, ...) so slow drifts of a shared machine hit both.
epoch_bench takes --threads when the build has it; otherwise ours runs once per architecture
and batch size and that run stands for every thread count (the table says so). Prints one
markdown table per thread count:
epoch seconds (the last epoch) at each batch size, batch-256 inference windows/s and batch-1
latency p50 — ratio = how many times faster atb-gpu is (torch time / ours, ours windows/s /
torch's), so > 1 means atb-gpu is faster.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile

TOOLS = pathlib.Path(__file__).resolve().parent
REPO = TOOLS.parent


def run_json(command, label):
    """stdout of command parsed as JSON, or None (the failure is reported on stderr)."""
    print(f"compare_torch: {label}: {' '.join(map(str, command))}", file=sys.stderr, flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        print(f"compare_torch: {label} failed ({done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout)


def epoch(result):
    return result["epoch_seconds"][-1] if result else None


def fmt(value, digits):
    return "—" if value is None else f"{value:,.{digits}f}"


def ratio(faster_if_big, other):
    return faster_if_big / other if faster_if_big and other else None


def joined(values, digits):
    return " / ".join(fmt(v, digits) for v in values)


def ratio_range(values):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    low, high = min(values), max(values)
    return f"{low:.2f}" if abs(high - low) < 0.005 else f"{low:.2f}–{high:.2f}"


def table(results, models, batches, threads, args, ours_threads, torch_version):
    ours_label = f"atb-gpu {args.device.upper()}" + (f", {threads} threads" if ours_threads else "")
    lines = [
        f"| {'default' if args.variant == 'default' else args.variant} variants, {args.days} d BTCUSDT "
        f"| {ours_label} | PyTorch {torch_version} eager {args.device.upper()}, {threads} threads | ratio |",
        "|---|---|---|---|",
    ]
    batch_label = " / ".join(f"bs{b}" for b in batches)
    for m in models:
        ours = [epoch(results.get(("ours", m, b, threads))) for b in batches]
        torch = [epoch(results.get(("torch", m, b, threads))) for b in batches]
        ratios = [ratio(t, o) for t, o in zip(torch, ours)]
        lines.append(
            f"| epoch {m} {batch_label} | {joined(ours, 2)} s | {joined(torch, 2)} s | {joined(ratios, 2)} |"
        )
    # Inference does not depend on the training batch size: the largest batch's run.
    pick = lambda kind, m, key: (results.get((kind, m, batches[-1], threads)) or {}).get(key)
    throughput = [(pick("ours", m, "infer_batch256_windows_per_s"), pick("torch", m, "infer_batch256_windows_per_s")) for m in models]
    latency = [(pick("ours", m, "infer_batch1_ms_p50"), pick("torch", m, "infer_batch1_ms_p50")) for m in models]
    lines.append(
        f"| batch-256 inference (windows/s) | {joined([o for o, _ in throughput], 0)} | "
        f"{joined([t for _, t in throughput], 0)} | {ratio_range([ratio(o, t) for o, t in throughput])} |"
    )
    lines.append(
        f"| batch-1 p50 (ms) | {joined([o for o, _ in latency], 2)} | {joined([t for _, t in latency], 2)} | "
        f"{ratio_range([ratio(t, o) for o, t in latency])} |"
    )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated torch (and ours, when it can) thread counts")
    parser.add_argument("--batch-size", default="32,256", help="comma-separated training batch sizes")
    parser.add_argument("--models", default="cnn_lstm,attention_lstm,tcn,tcn_attention")
    parser.add_argument("--variant", default="default")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--sequence-length", type=int, default=60)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="ours: cpu or gpu; torch: cpu or cuda")
    parser.add_argument("--latency-runs", type=int, default=200)
    parser.add_argument("--bench", type=pathlib.Path, default=REPO / "target/release/examples/epoch_bench")
    parser.add_argument("--json", type=pathlib.Path, help="also write every run's JSON here")
    args = parser.parse_args()
    if not args.bench.is_file():
        raise SystemExit(f"compare_torch: {args.bench} is missing; build it: cargo build --release --example epoch_bench")
    threads = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batch_size.split(",")]
    models = args.models.split(",")
    help_text = subprocess.run([args.bench, "--help"], stdout=subprocess.PIPE, text=True).stdout
    ours_threads = "--threads" in help_text
    import torch  # after the argument checks: importing takes seconds

    results = {}
    with tempfile.TemporaryDirectory(prefix="compare_torch_") as windows:
        for m in models:
            for b in batches:
                for t in threads:
                    if ours_threads or t == threads[0]:
                        command = [
                            args.bench, "--model-type", m, "--variant", args.variant, "--batch-size", b,
                            "--epochs", args.epochs, "--days", args.days, "--sequence-length", args.sequence_length,
                            "--device", "gpu" if args.device == "cuda" else "cpu",
                            "--latency-runs", args.latency_runs,
                        ]
                        if ours_threads:
                            command += ["--threads", t]
                        if not (pathlib.Path(windows) / "meta.json").exists():
                            command += ["--export", windows]
                        ours = run_json([str(c) for c in command], f"ours {m} bs{b} t{t}")
                        for each in threads if not ours_threads else [t]:
                            results[("ours", m, b, each)] = ours
                    ours = results.get(("ours", m, b, t))
                    if not (pathlib.Path(windows) / "meta.json").exists():
                        print(f"compare_torch: torch {m} bs{b} t{t}: skipped, no windows exported yet", file=sys.stderr)
                        continue
                    command = [
                        sys.executable, TOOLS / "torch_reference.py", "--data", windows, "--model-type", m,
                        "--variant", args.variant, "--batch-size", b, "--epochs", args.epochs,
                        "--device", args.device, "--threads", t, "--latency-runs", args.latency_runs, "--json",
                    ]
                    if ours:
                        command += ["--expect-params", ours["trainable_parameters"]]
                    results[("torch", m, b, t)] = run_json([str(c) for c in command], f"torch {m} bs{b} t{t}")

    date = datetime.date.today().isoformat()
    print(f"compare_torch, {date}: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"torch {torch.__version__}, {args.epochs} epochs (the last is shown)")
    print("`python3 tools/compare_torch.py " + " ".join(sys.argv[1:]) + "`")
    if not ours_threads:
        print("atb-gpu's epoch_bench has no --threads: one atb-gpu run per model and batch size stands for every thread count.")
    for t in threads:
        print()
        print(table(results, models, batches, t, args, ours_threads, torch.__version__.split("+")[0]))
    print()
    print("ratio: how many times faster atb-gpu is (torch seconds / ours; ours windows/s / torch's; torch p50 / ours).")
    if args.json:
        rows = [{"kind": k[0], "model_type": k[1], "batch_size": k[2], "threads": k[3], "result": v} for k, v in results.items()]
        args.json.write_text(json.dumps({"date": date, "argv": sys.argv[1:], "runs": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
