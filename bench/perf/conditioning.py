"""How closely FP16 PyTorch tracks FP32 on the benchmark's CNNs for each way
of setting their random BatchNorm statistics: the agreement limit (rel L2
1e-2) is only meaningful on weights where FP16 itself can meet it.

    python3 bench/perf/conditioning.py [--batch 8]

prints one row per model and choice: FP16 (channels_last, eager) against
FP32 (TF32 off) on the same seeded input."""
import argparse

import numpy as np
import torch

import models

CHOICES = {  # name: keyword arguments of models.calibrate_batchnorm, or None for no calibration
    "as initialised": None,
    "mean and variance (training)": {"centre": True, "shift_std": 0.0, "per_channel": True},
    "rms per channel, no shift": {"shift_std": 0.0, "per_channel": True},
    "rms per channel, shift 0.1": {"shift_std": 0.1, "per_channel": True},
    "rms per channel, shift 0.5": {"shift_std": 0.5, "per_channel": True},
    "rms per layer, no shift": {"shift_std": 0.0},
    "rms per layer, shift 0.1 (the benchmark's)": {"shift_std": 0.1},
    "rms per layer, shift 0.5": {"shift_std": 0.5},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--models", default="resnet50,mobilenetv2")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    import torchvision

    for name in a.models.split(","):
        (x,) = models.make_inputs(name, a.batch)
        for label, kwargs in CHOICES.items():
            torch.manual_seed(0)
            net = getattr(torchvision.models, "resnet50" if name == "resnet50" else "mobilenet_v2")(weights=None)
            if kwargs is None:
                net.eval()
            else:
                models.calibrate_batchnorm(net, **kwargs)
            with torch.inference_mode():
                ref = net.cuda()(x.cuda()).double().cpu().numpy()
                half = net.half().to(memory_format=torch.channels_last)
                got = half(x.cuda().half().to(memory_format=torch.channels_last)).double().cpu().numpy()
            err = np.linalg.norm(got - ref) / max(np.linalg.norm(ref), 1e-300)
            print(f"{name:12s} {label:44s} rel L2 {err:.2e}  |ref| rms {np.sqrt(np.mean(ref ** 2)):.2e}", flush=True)


if __name__ == "__main__":
    main()
