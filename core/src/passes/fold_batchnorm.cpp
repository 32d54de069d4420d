#include "passes/fold_batchnorm.h"

#include <cmath>

#include "ops/common.h"
#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

// The per-channel affine map y = x * scale + shift that an inference
// BatchNormalization with constant statistics computes, or nullopt.
struct Affine {
  std::vector<double> scale, shift;
};

std::optional<Affine> constantBatchNorm(const Network& network, const GraphView& view, const Layer& bn) {
  if (bn.inputs.size() != 5) return std::nullopt;
  const int64_t opset = network.opsetOf(bn.domain, 1);
  if (opset >= 14 && attrInt(bn, "training_mode", 0) != 0) return std::nullopt;
  if (opset < 9 && attrInt(bn, "spatial", 1) == 0) return std::nullopt;
  for (size_t i = 1; i < bn.outputs.size(); ++i) {
    const std::string& o = bn.outputs[i];
    if (!o.empty() && (!view.consumers(o).empty() || view.isOutput(o))) return std::nullopt;
  }
  const HostTensor* p[4];
  for (size_t i = 0; i < 4; ++i) {
    p[i] = constantOf(network, bn.inputs[i + 1]);
    if (!p[i] || p[i]->numel() != p[0]->numel()) return std::nullopt;
  }
  const double eps = attrFloat(bn, "epsilon", 1e-5f);
  Affine a;
  for (int64_t c = 0; c < p[0]->numel(); ++c) {
    const double s = p[0]->getAsDouble(c) / std::sqrt(p[3]->getAsDouble(c) + eps);
    a.scale.push_back(s);
    a.shift.push_back(p[1]->getAsDouble(c) - p[2]->getAsDouble(c) * s);
  }
  return a;
}

// A copy of `w` with the elements of channel c (index / inner % channels) scaled by scale[c].
HostTensor scaleChannels(const HostTensor& w, const std::vector<double>& scale, int64_t inner) {
  HostTensor out = w;
  const int64_t channels = int64_t(scale.size());
  for (int64_t i = 0; i < w.numel(); ++i) out.setFromDouble(i, w.getAsDouble(i) * scale[size_t(i / inner % channels)]);
  return out;
}

std::string addConstant(Network& network, const std::string& base, HostTensor value) {
  const std::string name = freshTensorName(network, base);
  network.addConstant(name, std::move(value));
  return name;
}

// Conv with constant W (and B): W' = W * scale per output channel, B' = B * scale + shift.
bool foldIntoConv(Network& network, Layer& conv, const Affine& a) {
  const HostTensor* w = constantOf(network, conv.inputs[1]);
  const HostTensor* b = conv.inputs.size() > 2 && !conv.inputs[2].empty() ? constantOf(network, conv.inputs[2]) : nullptr;
  if (!w || w->rank() < 3 || w->shape()[0] != int64_t(a.scale.size())) return false;
  if (conv.inputs.size() > 2 && !conv.inputs[2].empty() && !b) return false;
  HostTensor bias(w->type(), {int64_t(a.scale.size())});
  for (size_t c = 0; c < a.scale.size(); ++c) {
    bias.setFromDouble(int64_t(c), (b ? b->getAsDouble(int64_t(c)) : 0.0) * a.scale[c] + a.shift[c]);
  }
  const std::string wName = addConstant(network, conv.inputs[1] + "_bn", scaleChannels(*w, a.scale, w->numel() / w->shape()[0]));
  const std::string bName = addConstant(network, conv.name + "_bn_bias", std::move(bias));
  conv.inputs.resize(3);
  conv.inputs[1] = wName;
  conv.inputs[2] = bName;
  return true;
}

// Gemm with constant B: Y' = alpha A (B * scale) + C', C' = beta C * scale + shift.
bool foldIntoGemm(Network& network, Layer& gemm, const Affine& a) {
  const HostTensor* w = constantOf(network, gemm.inputs[1]);
  const bool transB = attrInt(gemm, "transB", 0) != 0;
  const int64_t n = int64_t(a.scale.size());
  if (!w || w->rank() != 2 || w->shape()[transB ? 0 : 1] != n) return false;
  const bool hasC = gemm.inputs.size() > 2 && !gemm.inputs[2].empty();
  const HostTensor* c = hasC ? constantOf(network, gemm.inputs[2]) : nullptr;
  if (hasC && (!c || c->rank() > 2)) return false;
  if (c && c->rank() > 0 && c->shape().back() != 1 && c->shape().back() != n) return false;
  const std::vector<int64_t> cShape = c && c->rank() == 2 ? std::vector<int64_t>{c->shape()[0], n} : std::vector<int64_t>{n};
  const auto cOffsets = c ? ops::broadcastOffsets(cShape, c->shape()) : std::vector<int64_t>{};
  const double beta = attrFloat(gemm, "beta", 1.f);
  HostTensor bias(w->type(), cShape);
  for (int64_t i = 0; i < bias.numel(); ++i) {
    const double v = c ? beta * c->getAsDouble(cOffsets[size_t(i)]) : 0.0;
    bias.setFromDouble(i, v * a.scale[size_t(i % n)] + a.shift[size_t(i % n)]);
  }
  const std::string wName = addConstant(network, gemm.inputs[1] + "_bn", scaleChannels(*w, a.scale, transB ? w->shape()[1] : 1));
  const std::string cName = addConstant(network, gemm.name + "_bn_bias", std::move(bias));
  gemm.inputs.resize(3);
  gemm.inputs[1] = wName;
  gemm.inputs[2] = cName;
  gemm.attrs["beta"] = Attribute::ofFloat(1.f);
  return true;
}

}  // namespace

std::vector<PassChange> FoldBatchNorm::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    const Layer& bn = net.layers()[i];
    if (!isOp(bn, "BatchNormalization")) return std::nullopt;
    const int p = view.producer(bn.inputs[0]);
    if (p < 0 || view.soleConsumer(bn.inputs[0]) != int(i)) return std::nullopt;
    const Layer& producer = net.layers()[size_t(p)];
    if (!isOp(producer, "Conv") && !isOp(producer, "Gemm")) return std::nullopt;
    auto affine = constantBatchNorm(net, view, bn);
    if (!affine) return std::nullopt;
    Layer folded = producer;
    const bool ok = isOp(producer, "Conv") ? foldIntoConv(net, folded, *affine) : foldIntoGemm(net, folded, *affine);
    if (!ok) return std::nullopt;
    folded.outputs = {bn.outputs[0]};
    folded.origin = unionOrigins(net, {size_t(p), i});
    const std::string description = "folded BatchNormalization '" + bn.name + "' into " + opName(producer) + " '" +
                                    producer.name + "'";
    PassChange change = replaceLayers(net, {size_t(p), i}, std::move(folded), "folded");
    change.description = description;
    return change;
  });
}

}  // namespace kiln::passes
