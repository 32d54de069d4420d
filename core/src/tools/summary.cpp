#include "kiln/summary.h"

#include <algorithm>

namespace kiln {

namespace {
int64_t numelOfTensor(const Network& n, const std::string& name) {
  const Tensor* t = n.findTensor(name);
  return t ? t->dims.numel() : -1;
}
}  // namespace

int64_t estimateFlops(const Network& network, const Layer& layer) {
  if (layer.outputs.empty() || layer.outputs[0].empty()) return 0;
  const Tensor* out = network.findTensor(layer.outputs[0]);
  if (!out) return -1;
  const int64_t outN = out->dims.numel();
  if (outN < 0) return -1;
  const std::string& op = layer.op;
  if (op == "Conv" || op == "ConvTranspose") {
    if (layer.inputs.size() < 2) return -1;
    const Tensor* w = network.findTensor(layer.inputs[1]);
    if (!w || !w->dims.allKnown() || w->dims.rank() < 3) return -1;
    int64_t kernel = 1;
    for (size_t i = 2; i < w->dims.rank(); ++i) kernel *= w->dims[i].value;
    if (op == "Conv") return 2 * outN * w->dims[1].value * kernel;
    // ConvTranspose: every input element scatters into C_out/group * kernel outputs
    const int64_t inN = numelOfTensor(network, layer.inputs[0]);
    return inN < 0 ? -1 : 2 * inN * w->dims[1].value * kernel;
  }
  if (op == "MatMul" || op == "Gemm") {
    const Tensor* a = network.findTensor(layer.inputs[0]);
    if (!a || !a->dims.allKnown() || a->dims.rank() == 0) return -1;
    int64_t k = a->dims[a->dims.rank() - 1].value;
    if (op == "Gemm" && !layer.attrs.empty()) {
      auto it = layer.attrs.find("transA");
      if (it != layer.attrs.end() && it->second.i && a->dims.rank() == 2) k = a->dims[0].value;
    }
    return 2 * outN * k;
  }
  static const char* kNoMath[] = {"Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Shape", "Size",
                                  "Concat", "Split", "Slice", "Gather", "Identity", "Dropout", "Constant",
                                  "ConstantOfShape", "Expand", "Tile", "Pad", "Cast", "DepthToSpace", "SpaceToDepth"};
  for (const char* n : kNoMath) {
    if (op == n) return 0;
  }
  // Pointwise, pooling, reductions and norms: about one operation per input element.
  const int64_t inN = layer.inputs.empty() || layer.inputs[0].empty() ? outN : numelOfTensor(network, layer.inputs[0]);
  return inN < 0 ? -1 : std::max(inN, outN);
}

NetworkSummary summarize(const Network& network) {
  NetworkSummary s;
  for (const auto& l : network.layers()) {
    ++s.opHistogram[l.domain.empty() ? l.op : l.domain + ":" + l.op];
    int64_t f = estimateFlops(network, l);
    if (f < 0) s.flopsComplete = false;
    else s.flops += f;
  }
  s.layerCount = int64_t(network.layers().size());
  s.parameterCount = network.parameterCount();
  s.parameterBytes = network.parameterBytes();
  s.unsupportedOps = unsupportedOps(network);
  return s;
}

}  // namespace kiln
