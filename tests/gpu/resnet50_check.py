"""ResNet-50 from torchvision for the GPU suite.

export DIR: exports a randomly initialised ResNet-50 with torch's default ONNX
exporter, and saves a seeded input and PyTorch's FP32 output beside it.
compare REF OUT PRECISION: prints the relative L2 error of OUT against REF and
whether it is within 1e-3 (fp32) or 1e-2 (fp16).
"""
import os
import sys

import numpy as np


def export(directory):
    import onnx
    import torch
    import torchvision

    os.makedirs(directory, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        reference = model(x).numpy()
    path = os.path.join(directory, "resnet50.onnx")
    torch.onnx.export(model, (x,), path)
    proto = onnx.load(path, load_external_data=False)
    opset = [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")]
    np.save(os.path.join(directory, "input.npy"), x.numpy())
    np.save(os.path.join(directory, "reference.npy"), reference)
    with open(os.path.join(directory, "input_name.txt"), "w") as f:
        f.write(proto.graph.input[0].name)
    with open(os.path.join(directory, "output_name.txt"), "w") as f:
        f.write(proto.graph.output[0].name)
    print(f"exported with torch {torch.__version__}: IR {proto.ir_version}, opset {opset}, "
          f"{len(proto.graph.node)} nodes")


def compare(reference, output, precision):
    ref = np.load(reference).astype(np.float64)
    out = np.load(output).astype(np.float64)
    if ref.shape != out.shape:
        print(f"shape {out.shape} differs from {ref.shape}: FAIL")
        return 1
    err = float(np.linalg.norm(out - ref) / np.linalg.norm(ref))
    limit = 1e-3 if precision == "fp32" else 1e-2
    ok = np.isfinite(out).all() and err <= limit
    print(f"relative L2 error {err:.3e} (limit {limit:g}): {'pass' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4]))
