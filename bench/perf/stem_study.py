"""Times a CNN stem convolution (Conv + ReLU, FP16, channels-last) at several
input channel counts, to see what zero-padding the image's three channels
would buy: exports one model per count, builds each with Kiln and prints the
timed tactics of the convolution.

    python3 bench/perf/stem_study.py KILN DIR [--batch 256] [--channels 3,4,8]
"""
import argparse
import json
import os
import subprocess

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiln")
    ap.add_argument("directory")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--channels", default="3,4,8")
    ap.add_argument("--stems", default="resnet,mobilenet")
    a = ap.parse_args()
    os.makedirs(a.directory, exist_ok=True)
    for stem in a.stems.split(","):
        for c in [int(v) for v in a.channels.split(",")]:
            if stem == "resnet":
                conv = torch.nn.Conv2d(c, 64, 7, stride=2, padding=3)
            else:
                conv = torch.nn.Conv2d(c, 32, 3, stride=2, padding=1)
            model = torch.nn.Sequential(conv, torch.nn.ReLU()).eval()
            path = os.path.join(a.directory, f"{stem}_c{c}.onnx")
            x = torch.randn(a.batch, c, 224, 224)
            torch.onnx.export(model, (x,), path, dynamo=True, opset_version=20)
            report = path + ".json"
            subprocess.run([a.kiln, "build", path, "-o", path + ".plan", "--target", "cuda", "--fp16",
                            "--report", report], check=True, capture_output=True)
            layers = json.load(open(report))["layers"]
            for layer in layers:
                timed = sorted((t for t in layer["candidates"] if t["ms"] > 0), key=lambda t: t["ms"])
                best = ", ".join(f"{t['tactic']} {t['ms']:.4f}" for t in timed[:3])
                print(f"{stem} C={c} {layer['type']} {layer['name']} {layer['input_shapes'][0]}: {best}")


if __name__ == "__main__":
    main()
