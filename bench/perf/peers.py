#!/usr/bin/env python3
"""One PyTorch configuration of the benchmark, measured the way Kiln is.

    python3 bench/perf/peers.py --model resnet50 --batch 256 --precision fp16 \
        --mode eager|max-autotune --models-dir DIR

Runs the same weights on the same input as bench/perf/models.py exported to
DIR/<model>_b<batch>/, and prints ONE JSON line on stdout (everything else goes
to stderr): median latency, items/s, the relative L2 error of the output
against reference.npy, the variant used and the library versions. A failure
still prints a line, with an "error" field, so that the driver records it.

fp16 runs model.half() on half inputs (BERT's token ids stay int64); tf32 runs
FP32 with TF32 matmuls and convolutions allowed. Eager mode times every
variant (CNNs: channels_last, or those BENCH_EAGER_CNN_VARIANTS lists, such
as "nchw,channels_last"; BERT: eager and SDPA attention) and reports the
fastest; max-autotune compiles one variant once, with fixed input shapes.
Every mode is timed alike: warm-up, then timed runs of call plus
torch.cuda.synchronize(), wall clock per run, median.

TORCHINDUCTOR_CACHE_DIR defaults to bench-out/inductor-cache in the repository,
so that a rerun reuses compiled and autotuned kernels.
"""
import argparse
import contextlib
import json
import os
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CACHE = os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", os.path.join(REPO, "bench-out", "inductor-cache"))
os.environ.setdefault("TRITON_CACHE_DIR", os.path.join(CACHE, "triton"))
# max-autotune times Triton templates for every convolution shape as well as
# cuDNN's; on ResNet-50 that alone ran past 190 s of compiling at batch 1, too
# long for a run of twelve rows. The compiled rows autotune the products over
# every backend and take the convolutions from cuDNN (ATen) unless this says
# otherwise ("ATEN,TRITON" is torch's default). Each row records the choice.
CONV_BACKENDS = os.environ.setdefault("TORCHINDUCTOR_MAX_AUTOTUNE_CONV_BACKENDS", "ATEN")
sys.path.insert(0, HERE)

import models  # noqa: E402  (after the cache settings, before torch)

VARIANTS = {"bert": ("eager-attention", "sdpa"), "cnn": ("nchw", "channels_last")}
DEFAULT_VARIANTS = {
    # NCHW eager was slower than channels_last at every size measured (H200, FP16)
    "eager": {"bert": "eager-attention,sdpa", "cnn": os.environ.get("BENCH_EAGER_CNN_VARIANTS", "channels_last")},
    "max-autotune": {"bert": "sdpa", "cnn": "channels_last"},
}


def time_runs(fn, sync, warmup_s, duration_s, min_runs=20):
    """Median wall-clock ms of fn()+sync() after a warm-up, and the run count."""
    start, n = time.perf_counter(), 0
    while n < min_runs or time.perf_counter() - start < warmup_s:
        fn()
        sync()
        n += 1
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < duration_s:
        t = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(times), len(times)


def rel_l2(out, reference_path):
    import numpy as np

    ref = np.load(reference_path).astype(np.float64)
    got = out.detach().float().cpu().numpy().astype(np.float64)
    if got.shape != ref.shape:
        raise ValueError(f"output shape {got.shape} differs from the reference's {ref.shape}")
    if not np.isfinite(got).all():
        return float("inf")
    return float(np.linalg.norm(got - ref) / np.linalg.norm(ref))


def variant_model(name, variant):
    """The model (CPU, FP32) for a variant, with the export's weights."""
    valid = VARIANTS["bert" if name == "bert" else "cnn"]
    if variant not in valid:
        raise ValueError(f"variant {variant} is not one of {', '.join(valid)} for {name}")
    model = models.build_model(name)
    if variant == "sdpa":
        from transformers import BertModel

        sdpa = BertModel(models.bert_config("sdpa"), add_pooling_layer=False).eval()
        sdpa.load_state_dict(model.bert.state_dict())
        if getattr(sdpa.config, "_attn_implementation", "sdpa") != "sdpa":
            raise RuntimeError("transformers did not take attn_implementation='sdpa'")
        model.bert = sdpa
    return model


def measure(a, row):
    import torch

    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = a.precision == "tf32"
    torch.backends.cudnn.allow_tf32 = a.precision == "tf32"
    dev = torch.device("cuda")
    row.update(torch=torch.__version__, cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
               device=torch.cuda.get_device_name(dev))
    reference = os.path.join(a.models_dir, f"{a.model}_b{a.batch}", "reference.npy")
    kind = "bert" if a.model == "bert" else "cnn"
    variants = (a.variants or DEFAULT_VARIANTS[a.mode][kind]).split(",")
    tried = {}
    best = None
    for variant in variants:
        try:
            model = variant_model(a.model, variant).to(dev)
            inputs = [t.to(dev) for t in models.make_inputs(a.model, a.batch)]
            if a.precision == "fp16":
                model = model.half()
                inputs = [t.half() if t.is_floating_point() else t for t in inputs]
            if variant == "channels_last":  # weights and input alike
                model = model.to(memory_format=torch.channels_last)
                inputs = [t.contiguous(memory_format=torch.channels_last) for t in inputs]
            compile_s = None
            fn = model
            if a.mode == "max-autotune":
                row["conv_backends"] = CONV_BACKENDS
                torch._dynamo.reset()
                fn = torch.compile(model, mode="max-autotune", dynamic=False)
            # weights are made outside inference mode (compiling models whose
            # parameters are inference tensors is fragile); the runs inside it
            with torch.inference_mode():
                if a.mode == "max-autotune":
                    t = time.perf_counter()
                    fn(*inputs)
                    torch.cuda.synchronize()
                    compile_s = time.perf_counter() - t
                # the output first: compiled modes replay CUDA graphs whose
                # output buffers later runs overwrite, so copy it off now
                err = rel_l2(fn(*inputs), reference)
                ms, runs = time_runs(lambda: fn(*inputs), torch.cuda.synchronize, a.warmup, a.duration)
            tried[variant] = round(ms, 4)
            if best is None or ms < best["median_ms"]:
                best = {"variant": variant, "median_ms": ms, "items_per_s": a.batch * 1000.0 / ms, "runs": runs,
                        "rel_l2": err}
                if compile_s is not None:
                    best["compile_s"] = round(compile_s, 2)
            del fn, model, inputs
            torch.cuda.empty_cache()
        except Exception as e:  # one failing variant must not hide the others
            traceback.print_exc()
            tried[variant] = f"error: {type(e).__name__}: {e}"[:300]
    row["variants"] = tried
    if best is None:
        raise RuntimeError("; ".join(f"{v}: {r}" for v, r in tried.items()))
    row.update(best)
    if kind == "cnn":
        row["layout"] = best["variant"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=models.MODELS)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--precision", required=True, choices=["fp16", "tf32"])
    ap.add_argument("--mode", required=True, choices=["eager", "max-autotune"])
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--variants", default="", help="comma-separated: nchw, channels_last, eager-attention, sdpa")
    ap.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up (at least 20 runs)")
    ap.add_argument("--duration", type=float, default=2.0, help="seconds of timed runs (at least 20 runs)")
    a = ap.parse_args()
    row = {"model": a.model, "batch": a.batch, "precision": a.precision, "mode": a.mode}
    try:
        with contextlib.redirect_stdout(sys.stderr):
            measure(a, row)
    except Exception as e:
        traceback.print_exc()
        row["error"] = f"{type(e).__name__}: {e}"[:500]
    print(json.dumps(row), flush=True)
    return 1 if "error" in row else 0


if __name__ == "__main__":
    sys.exit(main())
