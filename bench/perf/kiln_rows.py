#!/usr/bin/env python3
"""One Kiln row of the benchmark: build, bench and check one model/batch/precision.

    KILN=path/to/kiln python3 bench/perf/kiln_rows.py --model resnet50 --batch 256 \
        --precision fp16|tf32 --models-dir DIR --work DIR [--warm-build]

Builds DIR/<model>_b<batch>/model.onnx for cuda with a fresh timing cache
(a cold build, timed wall clock), and with --warm-build builds it again with
the now-warm cache; runs `kiln bench --resident --cuda-graph` (device-resident
inputs, CUDA graph replay); runs the plan on the exported input with
`kiln run` and compares the output with reference.npy. Prints ONE JSON line
with the key names of peers.py where they mean the same; a failure still
prints a line, with an "error" field.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time


def kiln(args, log):
    """Runs kiln with args; returns the wall-clock seconds; raises on failure."""
    cmd = [os.environ["KILN"], *args]
    log.write("$ " + " ".join(cmd) + "\n")
    log.flush()
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - t
    log.write(p.stdout)
    if p.returncode != 0:
        tail = " | ".join(p.stdout.strip().splitlines()[-3:])
        raise RuntimeError(f"kiln {args[0]} exited with {p.returncode}: {tail}")
    return seconds


def rel_l2(output_path, reference_path):
    import numpy as np

    ref = np.load(reference_path).astype(np.float64)
    got = np.load(output_path).astype(np.float64)
    if got.shape != ref.shape:
        raise ValueError(f"output shape {got.shape} differs from the reference's {ref.shape}")
    if not np.isfinite(got).all():
        return float("inf")
    return float(np.linalg.norm(got - ref) / np.linalg.norm(ref))


def measure(a, row, log):
    src = os.path.join(a.models_dir, f"{a.model}_b{a.batch}")
    with open(os.path.join(src, "meta.json")) as f:
        meta = json.load(f)
    tag = f"{a.model}_b{a.batch}_{a.precision}"
    plan = os.path.join(a.work, tag + ".plan")
    cache = os.path.join(a.work, tag + ".timing-cache")
    if os.path.exists(cache):
        os.remove(cache)  # every row's first build is cold
    build = ["build", os.path.join(src, "model.onnx"), "-o", plan, "--target", "cuda", f"--{a.precision}",
             "--timing-cache", cache]
    row["build_s"] = round(kiln(build + ["--report", os.path.join(a.work, tag + ".report.json")], log), 2)
    if a.warm_build:
        report = os.path.join(a.work, tag + ".warm-report.json")
        row["warm_build_s"] = round(kiln(build + ["--report", report], log), 2)
        with open(report) as f:
            r = json.load(f)
        row["warm_cache_hits"], row["warm_cache_misses"] = r.get("timing_cache_hits"), r.get("timing_cache_misses")

    bench_json = os.path.join(a.work, tag + ".bench.json")
    kiln(["bench", plan, "--resident", "--cuda-graph", "--duration", str(a.duration), "--json", bench_json], log)
    with open(bench_json) as f:
        b = json.load(f)
    ms = b["latency_ms"]["median"]
    # items/s from the median latency, as for the PyTorch rows
    row.update(median_ms=ms, items_per_s=a.batch * 1000.0 / ms, runs=b["runs"],
               bench_items_per_s=b["throughput_per_s"] * b["batch"], compute_ms=b["mean_ms"]["compute"])

    out_dir = os.path.join(a.work, tag + ".outputs")
    inputs = [f"{name}={os.path.join(src, f'input_{i}.npy')}" for i, name in enumerate(meta["inputs"])]
    kiln(["run", plan, *[x for i in inputs for x in ("--input", i)], "--output-dir", out_dir], log)
    output = os.path.join(out_dir, re.sub(r"[^A-Za-z0-9._-]", "_", meta["output"]) + ".npy")
    row["rel_l2"] = rel_l2(output, os.path.join(src, "reference.npy"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--precision", required=True, choices=["fp16", "tf32"])
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--work", required=True, help="folder for plans, caches, reports and outputs")
    ap.add_argument("--warm-build", action="store_true", help="build again with the warm timing cache")
    ap.add_argument("--duration", type=float, default=3.0, help="seconds of timed runs")
    a = ap.parse_args()
    row = {"model": a.model, "batch": a.batch, "precision": a.precision, "mode": "kiln"}
    os.makedirs(a.work, exist_ok=True)
    try:
        measure(a, row, sys.stderr)
    except Exception as e:
        row["error"] = f"{type(e).__name__}: {e}"[:500]
    print(json.dumps(row), flush=True)
    return 1 if "error" in row else 0


if __name__ == "__main__":
    sys.exit(main())
