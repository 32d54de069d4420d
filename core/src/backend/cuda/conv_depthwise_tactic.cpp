// Channels-last depthwise convolutions (group = input channels = output
// channels, as MobileNet's) with Kiln's own kernels: the layer is bound by
// memory, and the kernels apply bias, residual and activation in the same
// pass. "cuda.conv.depthwise-nhwc" takes any window; the 3x3 tactics
// "cuda.conv.depthwise3x3-r2/-r4/-r8" (stride 1 or 2, no dilation) compute
// that many output rows a thread and read each input row once per strip.
// The builder times them against cuDNN's engines, which run these layers at
// two to three times their memory time.
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
                                             const std::vector<DeviceTensor>& outputs, int rowsPerThread,
                                             std::string* reason) {
  kernels::cuda::DepthwiseParams d;
  d.rowsPerThread = rowsPerThread;
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
  if (d.c < 1 || d.h < 1 || d.w_ < 1) {
    *reason = "empty tensors";
  } else if (rowsPerThread > 0 && !kernels::cuda::depthwise3x3Fits(d)) {
    *reason = "runs 3x3 windows with stride 1 or 2, no dilation, and channels a multiple of 4";
  }
  return d;
}

class DepthwiseNhwcTactic final : public CudaTactic {
 public:
  /// rowsPerThread 0: the general kernel; 2, 4 or 8: the 3x3 kernel.
  explicit DepthwiseNhwcTactic(int rowsPerThread) : rows_(rowsPerThread) {}

  std::string name() const override {
    return rows_ == 0 ? "cuda.conv.depthwise-nhwc" : "cuda.conv.depthwise3x3-r" + std::to_string(rows_);
  }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      std::string reason;
      planDepthwise(*info.layer, info.opset, info.inputs, info.outputs, rows_, &reason);
      return reason;
    } catch (const Error& e) {
      return e.message();
    }
  }

  void enqueue(const Launch& launch) const override {
    std::string reason;
    kernels::cuda::DepthwiseParams d = planDepthwise(*launch.layer, launch.opset, launch.inputs, launch.outputs, rows_, &reason);
    if (!reason.empty()) throw Error(ErrorCode::kInternal, name() + ": " + reason);
    const auto& in = launch.inputs;
    d.x = in[0].data;
    d.w = in[1].data;
    d.bias = hasInput(*launch.layer, in, 2) ? in[2].data : nullptr;
    d.residual = hasInput(*launch.layer, in, 3) ? in[3].data : nullptr;
    d.y = launch.outputs[0].data;
    KILN_CUDA_CHECK(kernels::cuda::launchDepthwiseNhwc(d, launch.stream));
  }

 private:
  int rows_;
};

}  // namespace

void registerDepthwiseTactics(CudaTacticRegistry& r) {
  for (int rows : {0, 2, 4, 8}) r.add({"kiln:ConvAct"}, std::make_unique<DepthwiseNhwcTactic>(rows));
}

}  // namespace kiln::backend::cuda
