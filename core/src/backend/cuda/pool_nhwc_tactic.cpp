// kiln:MaxPool and kiln:AveragePool, the channels-last pools the
// channels-last pass makes (2-D windows, no dilation, no ceil mode): through
// cuDNN's pooling on NHWC tensors ("cuda.pool.cudnn-nhwc", symmetric padding
// only) and through Kiln's own kernel ("cuda.pool.nhwc", wide accesses; the
// builder times both).
#include <cudnn.h>

#include <cstdint>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/fused_epilogue.h"
#include "cuda/pool_nhwc.cuh"
#include "ops/op.h"

namespace kiln::backend::cuda {

namespace {

// A channels-last kiln pool as both tactics read it: 2-D window, no
// dilation, no ceil mode.
struct PoolGeometry {
  bool max = true;
  bool countIncludePad = false;
  DataType type = DataType::kFloat32;
  int window[2] = {1, 1}, stride[2] = {1, 1}, padBegin[2] = {0, 0}, padEnd[2] = {0, 0};
  int x[4] = {0, 0, 0, 0}, y[4] = {0, 0, 0, 0};  // N H W C
};

// The geometry, or a reason in `reason` when neither tactic runs the layer.
PoolGeometry readPool(const Layer& layer, int64_t opset, const std::vector<DeviceTensor>& inputs,
                      const std::vector<DeviceTensor>& outputs, std::string* reason) {
  PoolGeometry g;
  const ops::NodeContext ctx(layer, opset);
  if (layer.domain != "kiln" || (layer.op != "MaxPool" && layer.op != "AveragePool") ||
      ctx.attrInt("channels_last", 0) == 0) {
    *reason = "runs channels-last kiln pools only";
    return g;
  }
  if (std::string r = sameFloatTypeReason(layer, inputs, outputs); !r.empty()) {
    *reason = r;
    return g;
  }
  g.type = inputs[0].type;
  g.max = layer.op == "MaxPool";
  g.countIncludePad = ctx.attrInt("count_include_pad", 0) != 0;
  const auto kernel = ctx.attrInts("kernel_shape");
  const auto strides = ctx.attrInts("strides", {1, 1});
  const auto pads = ctx.attrInts("pads", {0, 0, 0, 0});
  const auto dilations = ctx.attrInts("dilations", {1, 1});
  const std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4 || dilations != std::vector<int64_t>{1, 1} ||
      ctx.attrInt("ceil_mode", 0) != 0 || (autoPad != "NOTSET" && autoPad != "VALID")) {
    *reason = "runs 2-D windows with explicit padding, no dilation and no ceil mode";
    return g;
  }
  const auto& xs = inputs[0].shape;
  const auto& ys = outputs[0].shape;
  if (xs.size() != 4 || ys.size() != 4) {
    *reason = "the tensors are not 4-D";
    return g;
  }
  for (int i = 0; i < 2; ++i) {
    g.window[i] = int(kernel[size_t(i)]);
    g.stride[i] = int(strides[size_t(i)]);
    g.padBegin[i] = autoPad == "VALID" ? 0 : int(pads[size_t(i)]);
    g.padEnd[i] = autoPad == "VALID" ? 0 : int(pads[size_t(i) + 2]);
  }
  for (int i = 0; i < 4; ++i) {
    if (xs[size_t(i)] > INT32_MAX || ys[size_t(i)] > INT32_MAX) {
      *reason = "a size beyond 32 bits";
      return g;
    }
    g.x[i] = int(xs[size_t(i)]);
    g.y[i] = int(ys[size_t(i)]);
  }
  return g;
}

struct PoolPlan {
  cudnnPoolingMode_t mode = CUDNN_POOLING_MAX;
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  int window[2] = {1, 1}, pad[2] = {0, 0}, stride[2] = {1, 1};
  int x[4] = {0, 0, 0, 0}, y[4] = {0, 0, 0, 0};  // N C H W
};

// cuDNN's plan, or a reason in `reason` when cuDNN cannot run the layer as it is.
PoolPlan planPool(const Layer& layer, int64_t opset, const std::vector<DeviceTensor>& inputs,
                  const std::vector<DeviceTensor>& outputs, std::string* reason) {
  PoolPlan p;
  const PoolGeometry g = readPool(layer, opset, inputs, outputs, reason);
  if (!reason->empty()) return p;
  if (g.padBegin[0] != g.padEnd[0] || g.padBegin[1] != g.padEnd[1]) {
    *reason = "cuDNN's pooling takes symmetric padding";
    return p;
  }
  p.type = g.type == DataType::kFloat16 ? CUDNN_DATA_HALF : g.type == DataType::kBFloat16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
  p.mode = g.max               ? CUDNN_POOLING_MAX_DETERMINISTIC
           : g.countIncludePad ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                               : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
  for (int i = 0; i < 2; ++i) {
    p.window[i] = g.window[i];
    p.stride[i] = g.stride[i];
    p.pad[i] = g.padBegin[i];
  }
  const int order[4] = {0, 3, 1, 2};  // NHWC -> N C H W
  for (int i = 0; i < 4; ++i) {
    p.x[i] = g.x[order[i]];
    p.y[i] = g.y[order[i]];
  }
  return p;
}

// Kiln's own kernel's parameters (pointers unset), or a reason.
kernels::cuda::PoolNhwcParams planOwnPool(const Layer& layer, int64_t opset, const std::vector<DeviceTensor>& inputs,
                                          const std::vector<DeviceTensor>& outputs, std::string* reason) {
  kernels::cuda::PoolNhwcParams k;
  const PoolGeometry g = readPool(layer, opset, inputs, outputs, reason);
  if (!reason->empty()) return k;
  for (int i = 0; i < 2; ++i) {  // the output the window geometry gives, without ceil mode
    const int64_t span = int64_t(g.x[i + 1]) + g.padBegin[i] + g.padEnd[i] - g.window[i];
    if (g.window[i] < 1 || g.stride[i] < 1 || g.padBegin[i] < 0 || g.padEnd[i] < 0 || span < 0 ||
        span / g.stride[i] + 1 != g.y[i + 1]) {
      *reason = "the output's height or width does not follow from the window";
      return k;
    }
  }
  if (g.x[0] != g.y[0] || g.x[3] != g.y[3]) {
    *reason = "the output's batch or channels differ from the input's";
    return k;
  }
  k.type = *floatElemType(g.type);
  k.n = g.x[0];
  k.h = g.x[1];
  k.w = g.x[2];
  k.c = g.x[3];
  k.oh = g.y[1];
  k.ow = g.y[2];
  k.kh = g.window[0];
  k.kw = g.window[1];
  k.strideH = g.stride[0];
  k.strideW = g.stride[1];
  k.padH = g.padBegin[0];
  k.padW = g.padBegin[1];
  k.padEndH = g.padEnd[0];
  k.padEndW = g.padEnd[1];
  k.max = g.max;
  k.countIncludePad = g.countIncludePad;
  if (!kernels::cuda::poolNhwcFits(k)) *reason = "a size beyond the kernel's 32-bit indexing";
  return k;
}

// "cuda.pool.nhwc": Kiln's kernel, 16 bytes of channels a thread.
class PoolNhwcTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.pool.nhwc"; }

  std::string supports(const CudaLayerInfo& info) const override {
    std::string reason;
    try {
      planOwnPool(*info.layer, info.opset, info.inputs, info.outputs, &reason);
    } catch (const Error& e) {
      return e.message();
    }
    return reason;
  }

  void enqueue(const Launch& launch) const override {
    std::string reason;
    kernels::cuda::PoolNhwcParams k = planOwnPool(*launch.layer, launch.opset, launch.inputs, launch.outputs, &reason);
    if (!reason.empty()) throw Error(ErrorCode::kInternal, name() + ": " + reason);
    k.x = launch.inputs[0].data;
    k.y = launch.outputs[0].data;
    KILN_CUDA_CHECK(kernels::cuda::launchPoolNhwc(k, launch.stream));
  }
};

class CudnnPoolNhwcTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.pool.cudnn-nhwc"; }

  std::string supports(const CudaLayerInfo& info) const override {
    std::string reason;
    try {
      const PoolPlan p = planPool(*info.layer, info.opset, info.inputs, info.outputs, &reason);
      if (reason.empty()) Descriptors d(p);  // cuDNN must agree on the output shape
    } catch (const Error& e) {
      return e.message();
    }
    return reason;
  }

  void enqueue(const Launch& launch) const override {
    std::string reason;
    const PoolPlan p = planPool(*launch.layer, launch.opset, launch.inputs, launch.outputs, &reason);
    if (!reason.empty()) throw Error(ErrorCode::kInternal, name() + ": " + reason);
    if (!launch.handles.cudnn) throw Error(ErrorCode::kInternal, name() + " has no cuDNN handle");
    Descriptors d(p);
    KILN_CUDNN_CHECK(cudnnSetStream(launch.handles.cudnn, launch.stream));
    const float one = 1.f, zero = 0.f;
    KILN_CUDNN_CHECK(cudnnPoolingForward(launch.handles.cudnn, d.pool, &one, d.x, launch.inputs[0].data, &zero, d.y,
                                         launch.outputs[0].data));
  }

 private:
  struct Descriptors {
    explicit Descriptors(const PoolPlan& p) {
      try {
        KILN_CUDNN_CHECK(cudnnCreatePoolingDescriptor(&pool));
        KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x));
        KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y));
        KILN_CUDNN_CHECK(cudnnSetPooling2dDescriptor(pool, p.mode, CUDNN_PROPAGATE_NAN, p.window[0], p.window[1],
                                                     p.pad[0], p.pad[1], p.stride[0], p.stride[1]));
        KILN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NHWC, p.type, p.x[0], p.x[1], p.x[2], p.x[3]));
        KILN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NHWC, p.type, p.y[0], p.y[1], p.y[2], p.y[3]));
        int n = 0, c = 0, h = 0, w = 0;
        KILN_CUDNN_CHECK(cudnnGetPooling2dForwardOutputDim(pool, x, &n, &c, &h, &w));
        if (n != p.y[0] || c != p.y[1] || h != p.y[2] || w != p.y[3]) {
          throw Error(ErrorCode::kUnsupportedOp, "cuDNN's pooling gives another output shape");
        }
      } catch (...) {
        release();
        throw;
      }
    }
    ~Descriptors() { release(); }
    Descriptors(const Descriptors&) = delete;
    Descriptors& operator=(const Descriptors&) = delete;
    void release() noexcept {
      if (pool) cudnnDestroyPoolingDescriptor(pool);
      if (x) cudnnDestroyTensorDescriptor(x);
      if (y) cudnnDestroyTensorDescriptor(y);
      pool = nullptr;
      x = y = nullptr;
    }
    cudnnPoolingDescriptor_t pool = nullptr;
    cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  };
};

}  // namespace

void registerPoolNhwcTactics(CudaTacticRegistry& r) {
  r.add({"kiln:MaxPool", "kiln:AveragePool"}, std::make_unique<CudnnPoolNhwcTactic>());
  r.add({"kiln:MaxPool", "kiln:AveragePool"}, std::make_unique<PoolNhwcTactic>());
}

}  // namespace kiln::backend::cuda
