// Conv and kiln:ConvAct through cuDNN's convolution API: one tactic per
// forward algorithm ("cuda.conv.cudnn.<algo>"), each running the convolution
// and then, where there is one, the epilogue kernel (bias, residual,
// activation). "cuda.conv.cudnn.fused" runs bias, residual and Relu (or no
// activation) inside cudnnConvolutionBiasActivationForward. 1-D convolutions
// run as 2-D ones of width 1. Padding must be expressible as cuDNN's
// symmetric padding.
#include <algorithm>

#include "backend/cpu/conv_problem.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/cudnn_conv.h"
#include "backend/cuda/fused_epilogue.h"

namespace kiln::backend::cuda {

namespace {

struct ConvPlan {
  CudnnConvGeometry geometry;
  std::vector<int64_t> outShape;
  bool hasBias = false;
  bool hasResidual = false;
  kernels::cpu::ActivationParams act;
  bool empty = false;  // Y has no elements
};

ConvPlan planConv(const Layer& layer, int64_t opset, Precision precision, const std::vector<DeviceTensor>& inputs,
                  const std::vector<DeviceTensor>& outputs) {
  const ErrorLocation where{{}, layer.name, opKey(layer), opset};
  const cpu::ConvProblem prob = readConvProblemOf(layer, opset, inputs, outputs);
  ConvPlan plan;
  plan.outShape = prob.outShape;
  plan.hasBias = prob.hasBias;
  plan.hasResidual = prob.hasResidual;
  plan.act = prob.activation;
  int64_t count = 1;
  for (int64_t d : plan.outShape) count *= d;
  plan.empty = count == 0;
  if (plan.empty) return plan;
  if (prob.params.inChannels == 0) throw Error(ErrorCode::kShapeMismatch, "X has no channels", where);
  std::string reason;
  plan.geometry = cudnnConvGeometry(prob.params, outputs[0].type, precision, &reason);
  if (!reason.empty()) throw Error(ErrorCode::kUnsupportedOp, reason, where);
  plan.geometry.channelsLast = prob.channelsLast;
  return plan;
}

// Bias shape [M, 1, ...] that broadcasts over N and the spatial dims of Y
// ([M] when Y is channels-last).
std::vector<int64_t> biasShape(const std::vector<int64_t>& outShape, bool channelsLast) {
  if (channelsLast) return {outShape.back()};
  std::vector<int64_t> s(outShape.size() - 1, 1);
  s[0] = outShape[1];
  return s;
}

const char* algoName(cudnnConvolutionFwdAlgo_t a) {
  switch (a) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: return "implicit_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM: return "implicit_precomp_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: return "gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT: return "direct";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT: return "fft";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING: return "fft_tiling";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD: return "winograd";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: return "winograd_nonfused";
    default: return "unknown";
  }
}

class CudnnConvTactic final : public CudaTactic {
 public:
  CudnnConvTactic(cudnnConvolutionFwdAlgo_t algo, bool fused) : algo_(algo), fused_(fused) {}

  std::string name() const override {
    return fused_ ? "cuda.conv.cudnn.fused" : std::string("cuda.conv.cudnn.") + algoName(algo_);
  }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      const ConvPlan plan = planConv(*info.layer, info.opset, info.precision, info.inputs, info.outputs);
      if (std::string r = fusedReason(plan); !r.empty()) return r;
      if (plan.empty) {
        return algo_ == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM && !fused_ ? "" : "Y is empty; implicit_gemm runs it";
      }
      CudnnConvDescriptors d(plan.geometry);
      if (cudnnConvWorkspace(buildTimeCudnnHandle(), d, algo_) < 0) {
        return std::string("cuDNN does not offer ") + algoName(algo_) + " for this convolution";
      }
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  int64_t workspaceBytes(const CudaLayerInfo& info) const override {
    const ConvPlan plan = planConv(*info.layer, info.opset, info.precision, info.inputs, info.outputs);
    if (plan.empty) return 0;
    CudnnConvDescriptors d(plan.geometry);
    return std::max<int64_t>(0, cudnnConvWorkspace(buildTimeCudnnHandle(), d, algo_));
  }

  void enqueue(const Launch& launch) const override {
    const ConvPlan plan = planConv(*launch.layer, launch.opset, launch.precision, launch.inputs, launch.outputs);
    if (plan.empty) return;
    if (std::string r = fusedReason(plan); !r.empty()) throw Error(ErrorCode::kInternal, name() + ": " + r);
    cudnnHandle_t handle = launch.handles.cudnn;
    if (!handle) throw Error(ErrorCode::kInternal, name() + " has no cuDNN handle");
    KILN_CUDNN_CHECK(cudnnSetStream(handle, launch.stream));
    CudnnConvDescriptors d(plan.geometry, fused_ && plan.act.kind == kernels::cpu::Activation::kRelu);
    // Shapes larger than the build's may need more workspace than planned:
    // implicit_gemm needs none.
    cudnnConvolutionFwdAlgo_t algo = algo_;
    int64_t need = cudnnConvWorkspace(handle, d, algo);
    if (need < 0 || need > launch.workspaceBytes || (need > 0 && !launch.workspace)) {
      if (fused_) throw Error(ErrorCode::kInternal, name() + " lacks workspace at these shapes");
      algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
      need = cudnnConvWorkspace(handle, d, algo);
      if (need != 0) throw Error(ErrorCode::kInternal, name() + ": cuDNN cannot run this convolution");
    }
    const void* x = launch.inputs[0].data;
    const void* w = launch.inputs[1].data;
    const void* bias = plan.hasBias ? launch.inputs[2].data : nullptr;
    const void* z = plan.hasResidual ? launch.inputs[3].data : nullptr;
    void* y = launch.outputs[0].data;
    const float one = 1.f, zero = 0.f;
    if (fused_) {
      // Without Z, y stands in for it with a zero weight.
      KILN_CUDNN_CHECK(cudnnConvolutionBiasActivationForward(
          handle, &one, d.x, x, d.w, w, d.conv, algo, launch.workspace, size_t(need), z ? &one : &zero, d.y,
          z ? z : y, d.bias, bias, d.act, d.y, y));
      return;
    }
    KILN_CUDNN_CHECK(cudnnConvolutionForward(handle, &one, d.x, x, d.w, w, d.conv, algo,
                                             need > 0 ? launch.workspace : nullptr, size_t(need), &zero, d.y, y));
    if (bias || z || plan.act.kind != kernels::cpu::Activation::kNone) {
      enqueueEpilogue(launch.outputs[0].type, y, plan.outShape, bias, biasShape(plan.outShape, plan.geometry.channelsLast), 1.f, z, plan.act,
                      launch.stream);
    }
  }

 private:
  // Empty when this tactic can apply the layer's epilogue.
  std::string fusedReason(const ConvPlan& plan) const {
    if (!fused_) return {};
    using kernels::cpu::Activation;
    if (!plan.hasBias) return "cuDNN's fused convolution needs a bias";
    if (plan.act.kind != Activation::kNone && plan.act.kind != Activation::kRelu) {
      return "cuDNN's fused convolution applies only Relu";
    }
    if (plan.geometry.dataType == CUDNN_DATA_BFLOAT16) return "cuDNN's fused convolution runs f32 and f16";
    return {};
  }

  cudnnConvolutionFwdAlgo_t algo_;
  bool fused_;
};

}  // namespace

void registerConvTactics(CudaTacticRegistry& r) {
  const std::vector<std::string> ops = {"Conv", "kiln:ConvAct"};
  registerDepthwiseTactics(r);
  registerConvGraphTactics(r);
  r.add(ops, std::make_unique<CudnnConvTactic>(CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, true));
  for (cudnnConvolutionFwdAlgo_t a :
       {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
        CUDNN_CONVOLUTION_FWD_ALGO_GEMM, CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, CUDNN_CONVOLUTION_FWD_ALGO_FFT,
        CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD,
        CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED}) {
    r.add(ops, std::make_unique<CudnnConvTactic>(a, false));
  }
  registerConvTransposeTactics(r);
}

}  // namespace kiln::backend::cuda
