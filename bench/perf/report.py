#!/usr/bin/env python3
"""Writes the benchmark's results (bench/perf/run.sh) as markdown.

    python3 bench/perf/report.py bench-out/results.jsonl --device bench-out/device.json -o bench/RESULTS.md
    python3 bench/perf/report.py --run fp16=a.jsonl,a.device.json --run tf32=b.jsonl,b.device.json

One table per precision, a row per model and batch: PyTorch eager and
torch.compile max-autotune, Kiln, Kiln against the best PyTorch mode, Kiln's
build time and the agreement of its output with PyTorch's FP32 output; at FP16
whether the project's target holds. Then ResNet-50's build times against
their targets. Without -o the markdown goes to stdout. Where the precisions were
measured in separate runs (each run with all three modes side by side on one
machine), --run takes each precision's table from its own results and device
files, and the header names every run. Standard library only.
"""
import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402

MODELS = (("resnet50", "ResNet-50", (1, 256)), ("mobilenetv2", "MobileNetV2", (1, 256)),
          ("bert", "BERT-base s128", (1, 64)))
PRECISIONS = (("fp16", "FP16", 1e-2), ("tf32", "FP32 (TF32 allowed)", 1e-3))
PEER_MODES = ("eager", "max-autotune")
THROUGHPUT_TARGET = 1.5  # FP16, batch > 1: Kiln items/s >= 1.5x the best PyTorch mode
LATENCY_TARGET = 0.75    # FP16, batch 1: Kiln latency <= 0.75x the best PyTorch mode
COLD_BUILD_LIMIT_S = 60.0
WARM_BUILD_LIMIT_S = 10.0


def ok(row):
    return row is not None and "error" not in row and row.get("median_ms")


def compare(rows, model, batch, precision):
    """Kiln against the best PyTorch mode for one model/batch/precision."""
    get = lambda mode: rows.get((model, str(batch), precision, mode))  # noqa: E731
    c = {"kiln": get("kiln"), **{mode: get(mode) for mode in PEER_MODES}}
    peers = [c[m] for m in PEER_MODES if ok(c[m])]
    c["measured_peers"] = [m for m in PEER_MODES if ok(c[m])]
    c["best_items_per_s"] = max((p["items_per_s"] for p in peers), default=None)
    c["best_ms"] = min((p["median_ms"] for p in peers), default=None)
    kiln = c["kiln"] if ok(c["kiln"]) else None
    c["throughput_ratio"] = kiln["items_per_s"] / c["best_items_per_s"] if kiln and peers else None
    c["latency_ratio"] = kiln["median_ms"] / c["best_ms"] if kiln and peers else None
    limit = dict((p, lim) for p, _, lim in PRECISIONS).get(precision)
    err = kiln.get("rel_l2") if kiln else None
    c["rel_l2_ok"] = None if err is None or limit is None else err <= limit
    c["target"] = None
    if precision == "fp16" and c["throughput_ratio"] is not None:
        c["target"] = (c["latency_ratio"] <= LATENCY_TARGET if batch == 1
                       else c["throughput_ratio"] >= THROUGHPUT_TARGET)
    return c


def target_text(batch):
    return (f"latency <= {LATENCY_TARGET}x" if batch == 1 else f"items/s >= {THROUGHPUT_TARGET}x")


def ms(x):
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.1f}"


def items(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def sci(x):
    return "n/a" if x is None else f"{x:.1e}"


def cell_error(row):
    if row is None:
        return "not run"
    text = str(row.get("error", "no result")).replace("|", "/").replace("\n", " ")
    return "error: " + (text[:80] + "..." if len(text) > 80 else text)


def yes_no(v):
    return "n/a" if v is None else "yes" if v else "**no**"


def table(rows, precision, title, limit):
    out = [f"## {title}", "",
           "| Model | Batch | Eager ms | Eager items/s | Compiled ms | Compiled items/s | Compile s | Kiln ms "
           "| Kiln items/s | Kiln vs best PyTorch | Kiln build s | Kiln rel L2 | PyTorch rel L2 |"
           + (" Target |" if precision == "fp16" else ""),
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|" + ("---|" if precision == "fp16" else "")]
    for model, label, batches in MODELS:
        extra = sorted({int(k[1]) for k in rows if k[0] == model and k[2] == precision} - set(batches))
        for batch in (*batches, *extra):
            c = compare(rows, model, batch, precision)
            cells = [label, str(batch)]
            e, k = c["eager"], c["kiln"]
            if ok(e):
                variant = e.get("variant")
                cells += [ms(e["median_ms"]) + (f" ({variant})" if variant else ""), items(e["items_per_s"])]
            else:
                cells += [cell_error(e), ""]
            m = c["max-autotune"]
            if ok(m):
                cells += [ms(m["median_ms"]), items(m["items_per_s"]),
                          "" if m.get("compile_s") is None else f"{m['compile_s']:.0f}"]
            else:
                cells += [cell_error(m), "", ""]
            if ok(k):
                cells += [ms(k["median_ms"]), items(k["items_per_s"])]
            else:
                cells += [cell_error(k), ""]
            # a ratio or verdict against fewer modes than all says which it had
            partial = "" if len(c["measured_peers"]) == len(PEER_MODES) else f" (vs {', '.join(c['measured_peers'])} only)"
            if c["throughput_ratio"] is None:
                cells.append("n/a")
            elif batch == 1:
                cells.append(f"{c['throughput_ratio']:.2f}x items/s, {c['latency_ratio']:.2f}x latency{partial}")
            else:
                cells.append(f"{c['throughput_ratio']:.2f}x items/s{partial}")
            cells.append(f"{k['build_s']:.1f}" if k and k.get("build_s") is not None else "")
            cells.append("" if c["rel_l2_ok"] is None else f"{sci(k['rel_l2'])} {'pass' if c['rel_l2_ok'] else '**FAIL**'}")
            cells.append(" / ".join(f"{name} {sci(r.get('rel_l2'))}" for name, r in (("eager", e), ("compiled", m))
                                    if ok(r)))
            if precision == "fp16":
                cells.append(f"{target_text(batch)}: {yes_no(c['target'])}" + (partial if c["target"] is not None else ""))
            out.append("| " + " | ".join(cells) + " |")
    out += ["", f"Kiln rel L2: relative L2 error of Kiln's output against PyTorch's FP32 output; limit {limit:g}.", ""]
    return out


def build_lines(rows):
    out = ["## ResNet-50 build time", "",
           f"FP16 on cuda at the default optimization level, wall clock of `kiln build`: cold (fresh timing cache) "
           f"target <= {COLD_BUILD_LIMIT_S:g} s, with the warm timing cache <= {WARM_BUILD_LIMIT_S:g} s.", ""]
    for batch in MODELS[0][2]:
        k = rows.get(("resnet50", str(batch), "fp16", "kiln"))
        if k is None or k.get("build_s") is None:
            out.append(f"- batch {batch}: {cell_error(k) if k is None or 'error' in k else 'no build time'}")
            continue
        line = f"- batch {batch}: cold {k['build_s']:.1f} s ({yes_no(k['build_s'] <= COLD_BUILD_LIMIT_S)})"
        if k.get("warm_build_s") is not None:
            line += f"; warm {k['warm_build_s']:.1f} s ({yes_no(k['warm_build_s'] <= WARM_BUILD_LIMIT_S)})"
            if k.get("warm_cache_hits") is not None:
                line += f", timing cache {k['warm_cache_hits']} hits, {k.get('warm_cache_misses')} misses"
        out.append(line)
    return out + [""]


def device_lines(d):
    gpu = d.get("gpu") or d.get("nvidia_smi") or "unknown GPU"
    mem = f" ({d['gpu_memory']})" if d.get("gpu_memory") else ""
    versions = ", ".join(f"{n} {d[n]}" for n in ("torch", "torchvision", "transformers", "onnx", "numpy") if n in d)
    return [f"- Device: {gpu}{mem}, driver {d.get('driver', 'unknown')}, {d.get('cpus', '?')} CPUs",
            f"- CUDA {d.get('cuda', '?')} and cuDNN {d.get('cudnn', '?')} (PyTorch's); {versions}",
            f"- {d.get('kiln', 'kiln version not recorded')}"]


def header(runs):
    """runs: (title of the precisions it holds, device dict or None) per run."""
    today = datetime.date.today().isoformat()
    out = ["# Performance: Kiln against PyTorch", ""]
    if len(runs) == 1:
        d = runs[0][1] or {}
        out += [f"Measured {d.get('date', 'on an unrecorded date')}; written by `bench/perf/report.py` on {today}.", ""]
        out += device_lines(d)
    else:
        out += [f"Measured in {len(runs)} runs, each with every mode of its precision side by side on one machine; "
                f"written by `bench/perf/report.py` on {today}.", ""]
        for title, d in runs:
            d = d or {}
            out += [f"**{title}**, measured {d.get('date', 'on an unrecorded date')}:", ""] + device_lines(d) + [""]
        out.pop()
    return out + [
        "",
        "Latency is the median wall clock of one run (call, then synchronize) after a warm-up; items/s = "
        "batch x 1000 / median ms, for every column. Eager: PyTorch eager under inference_mode, the fastest of "
        "the variants tried (CNNs: channels_last, or NCHW too where asked; BERT: eager and SDPA attention), "
        "shown beside the time. Compiled: "
        "`torch.compile(mode=\"max-autotune\")` (CUDA graphs), compile s is its first call. Kiln: `kiln bench "
        "--resident --cuda-graph`. FP16 runs the models in half precision; FP32 allows TF32 in both. "
        "\"Kiln vs best PyTorch\" divides Kiln's items/s by the best PyTorch mode's (and at batch 1 Kiln's "
        "latency by the best one's); where a PyTorch mode was not measured, the ratio and the target say which "
        "modes they had.", ""]


def render(rows, device, runs=None):
    """The markdown. `runs` maps a precision to its own (rows, device); the
    other precisions come from `rows` and `device`."""
    runs = runs or {}
    default = (rows, device)
    source = {p: runs.get(p, default) for p, _, _ in PRECISIONS}
    groups = []  # (titles, device) per distinct run, in table order
    for p, title, _ in PRECISIONS:
        for g in groups:
            if g[2] is source[p]:
                g[0].append(title)
                break
        else:
            groups.append([[title], source[p][1], source[p]])
    out = header([(" and ".join(t) + " rows", d) for t, d, _ in groups])
    every = [r for p, _, _ in PRECISIONS for k, r in source[p][0].items() if k[2] == p]
    backends = sorted({r["conv_backends"] for r in every if r.get("conv_backends")})
    if backends:
        out += [f"The compiled rows autotuned their convolutions over {' and '.join(backends)} "
                "(`TORCHINDUCTOR_MAX_AUTOTUNE_CONV_BACKENDS`; torch's default adds Triton templates, whose "
                "autotuning takes minutes per model) and their products over every backend.", ""]
    for precision, title, limit in PRECISIONS:
        out += table(source[precision][0], precision, title, limit)
    out += build_lines(source["fp16"][0])
    return "\n".join(out)


def load_device(path):
    if path and os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="?", help="results.jsonl written by run.sh")
    ap.add_argument("--device", help="device.json written by run.sh")
    ap.add_argument("--run", action="append", default=[], metavar="PRECISION=RESULTS[,DEVICE]",
                    help="take one precision's table (fp16 or tf32) from its own run's files")
    ap.add_argument("-o", "--output", help="the markdown file (default: stdout)")
    a = ap.parse_args()
    runs = {}
    for spec in a.run:
        precision, _, files = spec.partition("=")
        if precision not in [p for p, _, _ in PRECISIONS] or not files:
            ap.error(f"--run {spec}: expected fp16=RESULTS[,DEVICE] or tf32=RESULTS[,DEVICE]")
        path, _, dev = files.partition(",")
        runs[precision] = (results.load(path), load_device(dev))
    if not a.results and len(runs) < len(PRECISIONS):
        ap.error("give a results file, or --run for every precision")
    rows = results.load(a.results) if a.results else {}
    text = render(rows, load_device(a.device), runs)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
