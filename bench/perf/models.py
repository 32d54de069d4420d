"""The benchmark's models: built with random weights, exported with torch's
default ONNX exporter, one file per batch size, with a seeded input and
PyTorch's FP32 output (TF32 off) saved beside each.

    python3 bench/perf/models.py export DIR [--models resnet50,mobilenetv2,bert] [--batches 1,256]

writes DIR/<model>_b<batch>/{model.onnx, input_<i>.npy, reference.npy, meta.json}.
Other scripts import build_model() and make_inputs() so that every peer runs
the same weights on the same inputs.
"""
import argparse
import json
import os

import numpy as np

MODELS = ("resnet50", "mobilenetv2", "bert")
DEFAULT_BATCHES = {"resnet50": (1, 256), "mobilenetv2": (1, 256), "bert": (1, 64)}
BERT_SEQ = 128


def bert_config(attention):
    """bert-base-uncased sizes with the attention implementation `attention`
    ("eager": matmuls and softmax, what the ONNX export holds; "sdpa")."""
    from transformers import BertConfig

    config = BertConfig()
    config._attn_implementation = attention  # older transformers take no constructor argument for it
    return config


def calibrate_batchnorm(model, shift_std=0.1, centre=False, per_channel=False):
    """Scales each BatchNorm layer to unit root-mean-square output on a random
    batch, one scale for all its channels, without centring, and gives it a
    small random shift.

    Freshly initialised statistics (mean 0, variance 1) let the activations
    of a deep network shrink layer by layer: MobileNetV2's logits end near
    1e-9, which FP16 flushes to zero in every framework. Statistics gathered
    as training does (mean and variance) fix the scale but subtract each
    channel's mean, which is large next to what remains after a ReLU: every
    layer then magnifies rounding error, and PyTorch's own FP16 misses FP32 by
    2-3e-2 on ResNet-50. Dividing by the root mean square keeps the scale
    without that loss of precision. One scale per channel would magnify the
    channels whose random filters nearly cancel, rounding error and all: on
    MobileNetV2 PyTorch's own FP16 then misses FP32 by 1.3e-2. The shifts
    (N(0, shift_std)) stand in for trained biases, so that no engine gets to
    drop a zero bias add.
    `centre` subtracts the mean as training does; `per_channel` scales each
    channel to unit RMS (bench/perf/conditioning.py compares the choices)."""
    import torch

    g = torch.Generator().manual_seed(99)

    def set_scale(m, args):
        x = args[0]
        with torch.no_grad():
            x = x.float()
            mean = x.mean(dim=(0, 2, 3)) if centre else torch.zeros(x.shape[1])
            m.running_mean.copy_(mean)
            var = (x - mean[None, :, None, None]).pow(2).mean(dim=(0, 2, 3))
            if not per_channel:
                var = var.mean().expand_as(var)
            m.running_var.copy_(var - m.eps)
            m.running_var.clamp_(min=0)
            m.weight.fill_(1.0)
            m.bias.copy_(torch.randn(m.bias.shape, generator=g) * shift_std)

    model.eval()
    hooks = [m.register_forward_pre_hook(set_scale) for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        model(torch.randn(8, 3, 224, 224, generator=g))  # each hook runs before its BatchNorm: in order
    for h in hooks:
        h.remove()
    randomize_biases(model, g)
    return model


def randomize_biases(model, generator, std=0.02):
    """Linear and LayerNorm biases from N(0, std) in place of the zeros that
    initialisation gives: trained models have biases, and an engine that
    drops an add of zeros would be measured on less work than PyTorch."""
    import torch

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.LayerNorm)) and m.bias is not None:
                m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * std)
    return model


def build_model(name):
    """The model in eval mode on the CPU, with weights from a fixed seed."""
    import torch

    torch.manual_seed(0)
    if name in ("resnet50", "mobilenetv2"):
        import torchvision

        model = getattr(torchvision.models, "resnet50" if name == "resnet50" else "mobilenet_v2")(weights=None)
        return calibrate_batchnorm(model)
    if name == "bert":
        from transformers import BertModel

        class Bert(torch.nn.Module):
            """BERT-base returning the last hidden state for token ids."""

            def __init__(self):
                super().__init__()
                self.bert = BertModel(bert_config("eager"), add_pooling_layer=False)

            def forward(self, input_ids):
                return self.bert(input_ids=input_ids).last_hidden_state

        return randomize_biases(Bert().eval(), torch.Generator().manual_seed(98))
    raise ValueError(f"unknown model {name}")


def make_inputs(name, batch):
    """Seeded inputs as torch tensors (CPU)."""
    import torch

    g = torch.Generator().manual_seed(1234 + batch)
    if name == "bert":
        return (torch.randint(0, 30522, (batch, BERT_SEQ), generator=g, dtype=torch.int64),)
    return (torch.randn(batch, 3, 224, 224, generator=g),)


def items_per_batch(name, batch):
    return batch


def export(directory, models, batches_override):
    import onnx
    import torch

    for name in models:
        batches = batches_override or DEFAULT_BATCHES[name]
        model = build_model(name)
        for batch in batches:
            out = os.path.join(directory, f"{name}_b{batch}")
            os.makedirs(out, exist_ok=True)
            inputs = make_inputs(name, batch)
            path = os.path.join(out, "model.onnx")
            torch.onnx.export(model, inputs, path)
            proto = onnx.load(path, load_external_data=False)
            # reference: FP32 on the GPU when there is one, TF32 off
            torch.backends.cuda.matmul.allow_tf32 = False
            torch.backends.cudnn.allow_tf32 = False
            dev = "cuda" if torch.cuda.is_available() else "cpu"
            with torch.no_grad():
                ref = model.to(dev)(*[t.to(dev) for t in inputs]).float().cpu().numpy()
            model.cpu()
            names = [i.name for i in proto.graph.input]
            for i, t in enumerate(inputs):
                np.save(os.path.join(out, f"input_{i}.npy"), t.numpy())
            np.save(os.path.join(out, "reference.npy"), ref)
            opset = [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")]
            meta = {
                "model": name,
                "batch": batch,
                "inputs": names,
                "output": proto.graph.output[0].name,
                "ir_version": proto.ir_version,
                "opset": opset[0] if opset else None,
                "nodes": len(proto.graph.node),
                "torch": torch.__version__,
            }
            with open(os.path.join(out, "meta.json"), "w") as f:
                json.dump(meta, f, indent=1)
            print(f"{name} b{batch}: IR {meta['ir_version']}, opset {meta['opset']}, {meta['nodes']} nodes", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["export"])
    ap.add_argument("directory")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--batches", default="", help="override the batch sizes (comma-separated)")
    a = ap.parse_args()
    batches = tuple(int(b) for b in a.batches.split(",") if b)
    export(a.directory, a.models.split(","), batches)


if __name__ == "__main__":
    main()
