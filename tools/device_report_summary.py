#!/usr/bin/env python3
"""Assembles tools/device_report.sh's step records into OUT/report.json and OUT/summary.md.

Usage: python3 tools/device_report_summary.py OUT_DIR

Reads OUT/environment.txt, OUT/steps/order.txt and per step NAME.{status,reason,seconds,cmd,
out,err}; parses the outputs it knows (epoch_bench and torch_reference JSON, criterion's
estimates under OUT/criterion, torch_kernels JSON, the boosting benches' one-line results).
"""

import json
import pathlib
import re
import sys

ARCHITECTURES = ["cnn_lstm", "attention_lstm", "tcn", "tcn_attention"]
BOOSTING_LINE = re.compile(r"train ([0-9.]+) s, test RMSE ([0-9.eE+-]+|nan)")


def read(path, default=""):
    try:
        return path.read_text(errors="replace")
    except OSError:
        return default


def parse_output(name, text):
    """The structured result of a passed step, or None."""
    if name.startswith(("epoch_", "kernels_torch")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return None
    if name.startswith("gbdt_"):
        match = BOOSTING_LINE.search(text)
        if match:
            return {"train_seconds": float(match.group(1)), "test_rmse": float(match.group(2)), "line": text.strip()}
    if name == "devices":
        return {"text": text.strip()}
    return None


def criterion_results(root):
    """Every criterion benchmark under root: id, mean ms, GFLOP/s (one element = one FLOP)."""
    rows = []
    for bench in sorted(root.glob("**/new/benchmark.json")):
        try:
            meta = json.loads(bench.read_text())
            estimates = json.loads((bench.parent / "estimates.json").read_text())
        except (OSError, json.JSONDecodeError):
            continue
        ns = estimates["mean"]["point_estimate"]
        flops = (meta.get("throughput") or {}).get("Elements")
        rows.append(
            {"id": meta.get("full_id", str(bench.parent.parent)), "ms": ns / 1e6, "gflops": flops / ns if flops else None}
        )
    return rows


def steps_of(out):
    steps_dir = out / "steps"
    names = [n for n in read(steps_dir / "order.txt").split() if n]
    steps = []
    for name in names:
        status = read(steps_dir / f"{name}.status", "failed").strip()
        step = {
            "name": name,
            "status": status,
            "reason": read(steps_dir / f"{name}.reason").strip() or None,
            "seconds": float(read(steps_dir / f"{name}.seconds", "0").strip() or 0),
            "command": read(steps_dir / f"{name}.cmd").strip() or None,
        }
        if status == "failed":
            step["stderr_tail"] = read(steps_dir / f"{name}.err")[-3000:]
        if status == "passed":
            step["result"] = parse_output(name, read(steps_dir / f"{name}.out"))
        steps.append(step)
    return steps


def fmt(value, digits=3):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def last_epoch(result):
    return result["epoch_seconds"][-1] if result and result.get("epoch_seconds") else None


def ratio(numerator, denominator):
    return numerator / denominator if numerator and denominator else None


def markdown(report):
    env = report["environment"]
    lines = [
        f"# atb-gpu device report ({env.get('mode', '?')})",
        "",
        f"Started {env.get('started', '?')}, {env.get('elapsed_s', '?')} s; host {env.get('host', '?')}, "
        f"{env.get('cpus', '?')} CPUs; GPU {env.get('gpu', 'unknown')}; torch {env.get('torch', 'missing')} "
        f"(CUDA {'yes' if env.get('cuda') == '1' else 'no'}).",
        "",
        "## Steps",
        "",
        "| step | status | seconds | note |",
        "|---|---|---|---|",
    ]
    for s in report["steps"]:
        note = s["reason"] or ""
        if s["status"] == "skipped":
            note = f"skipped: {note}"
        lines.append(f"| {s['name']} | {s['status']} | {s['seconds']:.1f} | {note} |")
    by_name = {s["name"]: s.get("result") for s in report["steps"]}

    devices = (by_name.get("devices") or {}).get("text")
    if devices:
        lines += ["", "## atb-gpu devices", "", "```", devices, "```"]

    lines += [
        "",
        "## Training epoch (seconds, last epoch; ratio = torch / ours, > 1 means ours is faster)",
        "",
        "| model | batch | parameters | ours | torch eager | torch compiled | eager / ours | compiled / ours |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["epochs"]:
        ours, eager, compiled = (last_epoch(row.get(k)) for k in ("ours", "torch_eager", "torch_compile"))
        params = (row.get("ours") or {}).get("trainable_parameters")
        lines.append(
            f"| {row['model_type']} | {row['batch_size']} | {fmt(params)} | {fmt(ours)} | {fmt(eager)} | "
            f"{fmt(compiled)} | {fmt(ratio(eager, ours), 2)} | {fmt(ratio(compiled, ours), 2)} |"
        )

    lines += [
        "",
        "## Inference (batch-256 windows/s; batch-1 latency p50 / p95 ms incl. upload and readback)",
        "",
        "| model | ours windows/s | torch eager windows/s | ours p50 / p95 | torch eager p50 / p95 | torch compiled p50 |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["epochs"]:
        if row["batch_size"] != report["inference_batch"]:
            continue
        o, e, c = (row.get(k) or {} for k in ("ours", "torch_eager", "torch_compile"))
        lines.append(
            f"| {row['model_type']} | {fmt(o.get('infer_batch256_windows_per_s'), 0)} | "
            f"{fmt(e.get('infer_batch256_windows_per_s'), 0)} | "
            f"{fmt(o.get('infer_batch1_ms_p50'))} / {fmt(o.get('infer_batch1_ms_p95'))} | "
            f"{fmt(e.get('infer_batch1_ms_p50'))} / {fmt(e.get('infer_batch1_ms_p95'))} | "
            f"{fmt(c.get('infer_batch1_ms_p50'))} |"
        )

    lines += ["", "## Kernels", "", "| implementation | kernel | ms | GFLOP/s |", "|---|---|---|---|"]
    for r in report["kernels"]["ours"]:
        lines.append(f"| atb-gpu | {r['id']} | {fmt(r['ms'])} | {fmt(r['gflops'], 1)} |")
    for r in report["kernels"]["torch"]:
        lines.append(f"| torch | {r['kernel']} {r['shape']} | {fmt(r['ms'])} | {fmt(r['gflops'], 1)} |")

    lines += ["", "## Boosting", "", "| run | train s | test RMSE |", "|---|---|---|"]
    for name in ("gbdt_ours", "gbdt_xgboost", "gbdt_lightgbm"):
        r = by_name.get(name)
        if r:
            lines.append(f"| {r['line'].split(':')[0]} | {fmt(r['train_seconds'], 2)} | {fmt(r['test_rmse'], 6)} |")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: device_report_summary.py OUT_DIR")
    out = pathlib.Path(sys.argv[1])
    environment = {}
    for line in read(out / "environment.txt").splitlines():
        key, _, value = line.partition("=")
        if key == "note":
            environment.setdefault("notes", []).append(value)
        elif key:
            environment[key] = value
    steps = steps_of(out)
    by_name = {s["name"]: s.get("result") for s in steps}
    epochs = []
    batches = sorted({int(n.rsplit("_bs", 1)[1]) for n in by_name if n.startswith("epoch_") and "_bs" in n})
    for arch in ARCHITECTURES:
        for batch in batches:
            epochs.append(
                {
                    "model_type": arch,
                    "batch_size": batch,
                    "ours": by_name.get(f"epoch_ours_{arch}_bs{batch}"),
                    "torch_eager": by_name.get(f"epoch_torch_eager_{arch}_bs{batch}"),
                    "torch_compile": by_name.get(f"epoch_torch_compile_{arch}_bs{batch}"),
                }
            )
    report = {
        "mode": environment.get("mode"),
        "environment": environment,
        "steps": steps,
        "epochs": epochs,
        # Inference does not depend on the training batch; the table shows the first run's.
        "inference_batch": batches[0] if batches else None,
        "kernels": {
            "ours": criterion_results(out / "criterion"),
            "torch": (by_name.get("kernels_torch") or {}).get("rows", []),
        },
        "passed": sum(s["status"] == "passed" for s in steps),
        "failed": sum(s["status"] == "failed" for s in steps),
        "skipped": sum(s["status"] == "skipped" for s in steps),
    }
    (out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    (out / "summary.md").write_text(markdown(report))
    print(f"device report: {report['passed']} passed, {report['failed']} failed, {report['skipped']} skipped")


if __name__ == "__main__":
    main()
