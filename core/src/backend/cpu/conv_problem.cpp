#include "backend/cpu/conv_problem.h"

#include <algorithm>

#include "backend/cpu/fused_activation.h"
#include "ops/common.h"
#include "ops/window.h"

namespace kiln::backend::cpu {

namespace {

bool isFused(const Layer& layer) { return layer.op == "ConvAct" && layer.domain == kKilnDomain; }

}  // namespace

bool isChannelsLast(const Layer& layer) {
  auto it = layer.attrs.find("channels_last");
  return isFused(layer) && it != layer.attrs.end() && it->second.i != 0;
}

std::vector<int64_t> permuteDims(const std::vector<int64_t>& v, const std::vector<int64_t>& perm) {
  std::vector<int64_t> r;
  for (int64_t p : perm) r.push_back(v.at(size_t(p)));
  return r;
}

bool isConvLayer(const Layer& layer) {
  return isFused(layer) || (layer.op == "Conv" && (layer.domain.empty() || layer.domain == "ai.onnx"));
}

ConvProblem readConvProblem(const Layer& layer, int64_t opset, const InputShapes& inputs) {
  const ops::NodeContext ctx(layer, opset);
  ctx.check(isConvLayer(layer), "is not a Conv or kiln:ConvAct layer");
  const bool fused = isFused(layer);
  const size_t maxInputs = fused ? 4 : 3;
  ctx.check(inputs.size() >= 2 && inputs.size() <= maxInputs && inputs[0] && inputs[1],
            "expects X, W and up to " + std::to_string(maxInputs - 2) + " optional inputs");
  const bool last = isChannelsLast(layer);
  ctx.check(!last || (inputs[0]->size() == 4 && inputs[1]->size() == 4), "is channels-last, which needs 2-D X and W");
  // A channels-last problem is read in NCHW terms and its Y and Z shapes turned back.
  const auto& x = last ? permuteDims(*inputs[0], ops::kToChannelsFirst) : *inputs[0];
  const auto& w = last ? permuteDims(*inputs[1], ops::kToChannelsFirst) : *inputs[1];
  ctx.check(x.size() >= 3, "X must have a batch, a channel and at least one spatial dim");
  ctx.check(w.size() == x.size(), "W must have the rank of X");
  const size_t r = x.size() - 2;

  ConvProblem prob;
  kernels::cpu::ConvParams& p = prob.params;
  p.batch = x[0];
  p.inChannels = x[1];
  p.outChannels = w[0];
  p.group = ctx.attrInt("group", 1);
  ctx.check(p.group >= 1 && p.outChannels % p.group == 0, "the output channels must divide into the groups");
  ctx.check(p.inChannels == w[1] * p.group, "X has " + std::to_string(p.inChannels) +
                                                " channels, which W with group " + std::to_string(p.group) +
                                                " does not match");
  p.inSize.assign(x.begin() + 2, x.end());
  const std::vector<int64_t> wKernel(w.begin() + 2, w.end());
  const ops::Window win = ops::readWindow(ctx, r, wKernel);
  ctx.check(win.kernel == wKernel, "kernel_shape does not match the spatial dims of W");
  p.kernel = win.kernel;
  p.stride = win.strides;
  p.dilation = win.dilations;
  p.padBegin.resize(r);
  p.outSize.resize(r);
  for (size_t d = 0; d < r; ++d) {
    int64_t padEnd = 0;
    p.outSize[d] = ops::windowOutput(ctx, win, d, p.inSize[d], &p.padBegin[d], &padEnd);
  }
  prob.outShape = {p.batch, p.outChannels};
  prob.outShape.insert(prob.outShape.end(), p.outSize.begin(), p.outSize.end());
  if (last) prob.outShape = permuteDims(prob.outShape, ops::kToChannelsLast);
  prob.channelsLast = last;

  prob.hasBias = inputs.size() > 2 && inputs[2];
  if (prob.hasBias) {
    ctx.check(*inputs[2] == std::vector<int64_t>{p.outChannels}, "B must have one value per output channel");
  }
  prob.hasResidual = inputs.size() > 3 && inputs[3];
  if (prob.hasResidual) {
    ctx.check(*inputs[3] == prob.outShape, "Z is " + shapeString(*inputs[3]) + ", not Y's shape " +
                                               shapeString(prob.outShape));
  }
  if (fused) prob.activation = readFusedActivation(ctx);
  return prob;
}

}  // namespace kiln::backend::cpu
