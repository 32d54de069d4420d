// ConvTranspose through cuDNN: the transposed convolution is the backward-data
// pass of the forward convolution from Y to X, one tactic per backward-data
// algorithm ("cuda.convtranspose.cudnn.algo0", ...), the bias added by the
// epilogue kernel.
#include <algorithm>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cudnn_conv.h"
#include "backend/cuda/fused_epilogue.h"
#include "ops/window.h"

namespace kiln::backend::cuda {

kernels::cpu::ConvParams readConvTransposeParams(const Layer& layer, int64_t opset, const std::vector<int64_t>& x,
                                                 const std::vector<int64_t>& w) {
  const ops::NodeContext ctx(layer, opset);
  ctx.check(x.size() >= 3, "X must have a batch, a channel and at least one spatial dim");
  ctx.check(w.size() == x.size(), "W must have the rank of X");
  const size_t r = x.size() - 2;
  kernels::cpu::ConvParams p;
  p.batch = x[0];
  p.inChannels = x[1];
  p.group = ctx.attrInt("group", 1);
  ctx.check(p.group >= 1, "group must be positive");
  ctx.check(w[0] == p.inChannels, "X has " + std::to_string(p.inChannels) + " channels, which W does not match");
  p.outChannels = w[1] * p.group;
  p.inSize.assign(x.begin() + 2, x.end());
  const std::vector<int64_t> wKernel(w.begin() + 2, w.end());
  const ops::Window win = ops::readWindow(ctx, r, wKernel);
  ctx.check(win.kernel == wKernel, "kernel_shape does not match the spatial dims of W");
  p.kernel = win.kernel;
  p.stride = win.strides;
  p.dilation = win.dilations;
  const auto outputPadding = ctx.attrInts("output_padding", std::vector<int64_t>(r, 0));
  auto outputShape = ctx.attrInts("output_shape");
  ctx.check(outputPadding.size() == r, "output_padding must have " + std::to_string(r) + " values");
  if (outputShape.size() == r + 2) outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  ctx.check(outputShape.empty() || outputShape.size() == r, "output_shape must have " + std::to_string(r) + " values");
  const bool same = win.autoPad == "SAME_UPPER" || win.autoPad == "SAME_LOWER";
  const bool valid = win.autoPad == "VALID";
  p.padBegin.resize(r);
  p.outSize.resize(r);
  for (size_t d = 0; d < r; ++d) {
    const int64_t in = p.inSize[d];
    const int64_t natural = win.strides[d] * (in - 1) + outputPadding[d] + (win.kernel[d] - 1) * win.dilations[d] + 1;
    int64_t out;
    if (!outputShape.empty() || same) {
      out = outputShape.empty() ? in * win.strides[d] : outputShape[d];
      const int64_t total = natural - out;
      p.padBegin[d] = win.autoPad == "SAME_UPPER" ? ops::floorDiv(total, 2) : total - ops::floorDiv(total, 2);
    } else {
      p.padBegin[d] = valid ? 0 : win.pads[d];
      out = natural - p.padBegin[d] - (valid ? 0 : win.pads[d + r]);
    }
    if (out < 1) ctx.fail("output size of spatial dim " + std::to_string(d) + " is not positive");
    p.outSize[d] = out;
  }
  return p;
}

namespace {

struct TransposePlan {
  CudnnConvGeometry geometry;  // the forward convolution from Y to X
  std::vector<int64_t> outShape;
  bool hasBias = false;
  bool empty = false;
};

TransposePlan planTranspose(const Layer& layer, int64_t opset, Precision precision,
                            const std::vector<DeviceTensor>& inputs, const std::vector<DeviceTensor>& outputs) {
  const ErrorLocation where{{}, layer.name, opKey(layer), opset};
  if (std::string r = sameFloatTypeReason(layer, inputs, outputs); !r.empty()) {
    throw Error(ErrorCode::kUnsupportedType, r, where);
  }
  if (!hasInput(layer, inputs, 0) || !hasInput(layer, inputs, 1)) {
    throw Error(ErrorCode::kInvalidModel, "expects X, W and an optional B", where);
  }
  const kernels::cpu::ConvParams t = readConvTransposeParams(layer, opset, inputs[0].shape, inputs[1].shape);
  TransposePlan plan;
  plan.outShape = {t.batch, t.outChannels};
  plan.outShape.insert(plan.outShape.end(), t.outSize.begin(), t.outSize.end());
  if (outputs[0].shape != plan.outShape) {
    throw Error(ErrorCode::kShapeMismatch, "the output is " + shapeString(outputs[0].shape) +
                                               ", the transposed convolution " + shapeString(plan.outShape), where);
  }
  plan.hasBias = hasInput(layer, inputs, 2);
  if (plan.hasBias && inputs[2].shape != std::vector<int64_t>{t.outChannels}) {
    throw Error(ErrorCode::kShapeMismatch, "B must have one value per output channel", where);
  }
  int64_t count = 1;
  for (int64_t d : plan.outShape) count *= d;
  plan.empty = count == 0;
  if (plan.empty) return plan;
  if (t.inChannels == 0) throw Error(ErrorCode::kShapeMismatch, "X has no channels", where);
  kernels::cpu::ConvParams f = t;  // the forward convolution Y -> X
  f.inChannels = t.outChannels;
  f.outChannels = t.inChannels;
  f.inSize = t.outSize;
  f.outSize = t.inSize;
  std::string reason;
  plan.geometry = cudnnConvGeometry(f, outputs[0].type, precision, &reason);
  if (!reason.empty()) throw Error(ErrorCode::kUnsupportedOp, reason, where);
  return plan;
}

const char* algoName(cudnnConvolutionBwdDataAlgo_t a) {
  switch (a) {
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_0: return "algo0";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_1: return "algo1";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT: return "fft";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING: return "fft_tiling";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD: return "winograd";
    case CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED: return "winograd_nonfused";
    default: return "unknown";
  }
}

class CudnnConvTransposeTactic final : public CudaTactic {
 public:
  explicit CudnnConvTransposeTactic(cudnnConvolutionBwdDataAlgo_t algo) : algo_(algo) {}

  std::string name() const override { return std::string("cuda.convtranspose.cudnn.") + algoName(algo_); }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      const TransposePlan plan = planTranspose(*info.layer, info.opset, info.precision, info.inputs, info.outputs);
      if (plan.empty) return algo_ == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1 ? "" : "Y is empty; algo1 runs it";
      CudnnConvDescriptors d(plan.geometry);
      if (cudnnConvBackwardDataWorkspace(buildTimeCudnnHandle(), d, algo_) < 0) {
        return std::string("cuDNN does not offer ") + algoName(algo_) + " for this transposed convolution";
      }
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  int64_t workspaceBytes(const CudaLayerInfo& info) const override {
    const TransposePlan plan = planTranspose(*info.layer, info.opset, info.precision, info.inputs, info.outputs);
    if (plan.empty) return 0;
    CudnnConvDescriptors d(plan.geometry);
    return std::max<int64_t>(0, cudnnConvBackwardDataWorkspace(buildTimeCudnnHandle(), d, algo_));
  }

  void enqueue(const Launch& launch) const override {
    const TransposePlan plan =
        planTranspose(*launch.layer, launch.opset, launch.precision, launch.inputs, launch.outputs);
    if (plan.empty) return;
    cudnnHandle_t handle = launch.handles.cudnn;
    if (!handle) throw Error(ErrorCode::kInternal, name() + " has no cuDNN handle");
    KILN_CUDNN_CHECK(cudnnSetStream(handle, launch.stream));
    CudnnConvDescriptors d(plan.geometry);
    const int64_t need = cudnnConvBackwardDataWorkspace(handle, d, algo_);
    if (need < 0 || need > launch.workspaceBytes || (need > 0 && !launch.workspace)) {
      throw Error(ErrorCode::kInternal, name() + " lacks workspace at these shapes (" + std::to_string(need) +
                                            " bytes, has " + std::to_string(launch.workspaceBytes) + ")");
    }
    const float one = 1.f, zero = 0.f;
    void* y = launch.outputs[0].data;
    KILN_CUDNN_CHECK(cudnnConvolutionBackwardData(handle, &one, d.w, launch.inputs[1].data, d.y, launch.inputs[0].data,
                                                  d.conv, algo_, need > 0 ? launch.workspace : nullptr, size_t(need),
                                                  &zero, d.x, y));
    if (plan.hasBias) {
      std::vector<int64_t> biasShape(plan.outShape.size() - 1, 1);
      biasShape[0] = plan.outShape[1];
      enqueueEpilogue(launch.outputs[0].type, y, plan.outShape, launch.inputs[2].data, biasShape, 1.f, nullptr, {},
                      launch.stream);
    }
  }

 private:
  cudnnConvolutionBwdDataAlgo_t algo_;
};

}  // namespace

void registerConvTransposeTactics(CudaTacticRegistry& r) {
  for (cudnnConvolutionBwdDataAlgo_t a :
       {CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT,
        CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD,
        CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED}) {
    r.add({"ConvTranspose"}, std::make_unique<CudnnConvTransposeTactic>(a));
  }
}

}  // namespace kiln::backend::cuda
