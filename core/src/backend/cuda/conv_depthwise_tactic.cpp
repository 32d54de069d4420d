// Channels-last depthwise convolutions (group = input channels = output
// channels, as MobileNet's) with Kiln's own kernel, "cuda.conv.depthwise-nhwc":
// the layer is bound by memory, and the kernel applies bias, residual and
// activation in the same pass, where cuDNN's engines for it run several
// times slower than the memory allows.
#include "backend/cpu/conv_problem.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/fused_epilogue.h"
#include "cuda/depthwise.cuh"

namespace kiln::backend::cuda {

namespace {

// The kernel's parameters for the layer, or the reason it does not fit
// (Error where its tensors do not match the layer).
kernels::cuda::DepthwiseParams planDepthwise(const Layer& layer, int64_t opset, const std::vector<DeviceTensor>& inputs,
                                             const std::vector<DeviceTensor>& outputs, std::string* reason) {
  kernels::cuda::DepthwiseParams d;
  const cpu::ConvProblem prob = readConvProblemOf(layer, opset, inputs, outputs);
  const auto& p = prob.params;
  if (!prob.channelsLast || p.kernel.size() != 2) {
    *reason = "runs channels-last 2-D convolutions";
    return d;
  }
  if (p.group != p.inChannels || p.outChannels != p.inChannels) {
    *reason = "runs depthwise convolutions (one filter per channel) only";
    return d;
  }
  for (int64_t v : {p.batch, p.inChannels, p.inSize[0], p.inSize[1], p.outSize[0], p.outSize[1]}) {
    if (v > (int64_t(1) << 30)) {
      *reason = "a size beyond the kernel's int range";
      return d;
    }
  }
  d.type = *floatElemType(outputs[0].type);
  d.n = int(p.batch);
  d.c = int(p.inChannels);
  d.h = int(p.inSize[0]);
  d.w_ = int(p.inSize[1]);
  d.oh = int(p.outSize[0]);
  d.ow = int(p.outSize[1]);
  d.kh = int(p.kernel[0]);
  d.kw = int(p.kernel[1]);
  d.strideH = int(p.stride[0]);
  d.strideW = int(p.stride[1]);
  d.padH = int(p.padBegin[0]);
  d.padW = int(p.padBegin[1]);
  d.dilH = int(p.dilation[0]);
  d.dilW = int(p.dilation[1]);
  d.act = prob.activation;
  if (d.c < 1 || d.h < 1 || d.w_ < 1) *reason = "empty tensors";
  return d;
}

class DepthwiseNhwcTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.conv.depthwise-nhwc"; }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      std::string reason;
      planDepthwise(*info.layer, info.opset, info.inputs, info.outputs, &reason);
      return reason;
    } catch (const Error& e) {
      return e.message();
    }
  }

  void enqueue(const Launch& launch) const override {
    std::string reason;
    kernels::cuda::DepthwiseParams d = planDepthwise(*launch.layer, launch.opset, launch.inputs, launch.outputs, &reason);
    if (!reason.empty()) throw Error(ErrorCode::kInternal, name() + ": " + reason);
    const auto& in = launch.inputs;
    d.x = in[0].data;
    d.w = in[1].data;
    d.bias = hasInput(*launch.layer, in, 2) ? in[2].data : nullptr;
    d.residual = hasInput(*launch.layer, in, 3) ? in[3].data : nullptr;
    d.y = launch.outputs[0].data;
    KILN_CUDA_CHECK(kernels::cuda::launchDepthwiseNhwc(d, launch.stream));
  }
};

}  // namespace

void registerDepthwiseTactics(CudaTacticRegistry& r) {
  r.add({"kiln:ConvAct"}, std::make_unique<DepthwiseNhwcTactic>());
}

}  // namespace kiln::backend::cuda
