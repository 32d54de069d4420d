#include "backend/cuda/cudnn_conv.h"

#include <climits>
#include <mutex>

#include "backend/cuda/cuda_check.h"

namespace kiln::backend::cuda {

namespace {

bool fitsInt(int64_t v) { return v >= 0 && v <= int64_t(INT_MAX); }

}  // namespace

CudnnConvGeometry cudnnConvGeometry(const kernels::cpu::ConvParams& p, DataType type, Precision precision,
                                    std::string* reason) {
  CudnnConvGeometry g;
  reason->clear();
  switch (type) {
    case DataType::kFloat32:
      g.dataType = CUDNN_DATA_FLOAT;
      g.math = precision == Precision::kTF32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
      break;
    case DataType::kFloat16:
      g.dataType = CUDNN_DATA_HALF;
      g.math = CUDNN_TENSOR_OP_MATH;
      break;
    case DataType::kBFloat16:
      g.dataType = CUDNN_DATA_BFLOAT16;
      g.math = CUDNN_TENSOR_OP_MATH;
      break;
    default: *reason = std::string("cuDNN convolutions run f32, f16 and bf16, not ") + toString(type); return g;
  }
  g.computeType = CUDNN_DATA_FLOAT;
  const size_t r = p.kernel.size();
  if (r < 1 || r > 3 || p.inSize.size() != r || p.outSize.size() != r || p.stride.size() != r ||
      p.dilation.size() != r || p.padBegin.size() != r) {
    *reason = "cuDNN convolutions have 1, 2 or 3 spatial dims";
    return g;
  }
  if (p.group < 1 || p.inChannels % p.group != 0 || p.outChannels % p.group != 0) {
    *reason = "the channels do not divide into the groups";
    return g;
  }
  for (size_t d = 0; d < r; ++d) {
    if (p.padBegin[d] < 0) {
      *reason = "negative padding";
      return g;
    }
    // cuDNN pads both ends alike; the output must come out as the reference's.
    const int64_t span = p.inSize[d] + 2 * p.padBegin[d] - p.dilation[d] * (p.kernel[d] - 1) - 1;
    if (p.stride[d] < 1 || span < 0 || span / p.stride[d] + 1 != p.outSize[d]) {
      *reason = "asymmetric padding that cuDNN's symmetric padding cannot express";
      return g;
    }
  }
  std::vector<int64_t> x = {p.batch, p.inChannels}, w = {p.outChannels, p.inChannels / p.group},
                       y = {p.batch, p.outChannels};
  std::vector<int64_t> pads, strides, dilations;
  for (size_t d = 0; d < r; ++d) {
    x.push_back(p.inSize[d]);
    w.push_back(p.kernel[d]);
    y.push_back(p.outSize[d]);
    pads.push_back(p.padBegin[d]);
    strides.push_back(p.stride[d]);
    dilations.push_back(p.dilation[d]);
  }
  if (r == 1) {  // a 1-D convolution is a 2-D one of width 1
    for (auto* v : {&x, &w, &y}) v->push_back(1);
    pads.push_back(0);
    strides.push_back(1);
    dilations.push_back(1);
  }
  int64_t xCount = 1, yCount = 1;
  for (int64_t v : x) xCount *= v;
  for (int64_t v : y) yCount *= v;
  for (const auto* v : {&x, &w, &y, &pads, &strides, &dilations}) {
    for (int64_t e : *v) {
      if (!fitsInt(e)) {
        *reason = "a size beyond cuDNN's int32 range";
        return g;
      }
    }
  }
  if (!fitsInt(xCount) || !fitsInt(yCount)) {
    *reason = "a tensor beyond cuDNN's int32 element range";
    return g;
  }
  const auto toInt = [](const std::vector<int64_t>& v) { return std::vector<int>(v.begin(), v.end()); };
  g.xDims = toInt(x);
  g.wDims = toInt(w);
  g.yDims = toInt(y);
  g.pads = toInt(pads);
  g.strides = toInt(strides);
  g.dilations = toInt(dilations);
  g.group = int(p.group);
  return g;
}

CudnnConvDescriptors::CudnnConvDescriptors(const CudnnConvGeometry& g, bool relu) {
  try {
    const int nb = int(g.xDims.size());
    KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x));
    KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y));
    KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&bias));
    KILN_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w));
    KILN_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv));
    KILN_CUDNN_CHECK(cudnnCreateActivationDescriptor(&act));
    const cudnnTensorFormat_t format = g.channelsLast ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    KILN_CUDNN_CHECK(cudnnSetTensorNdDescriptorEx(x, format, g.dataType, nb, g.xDims.data()));
    KILN_CUDNN_CHECK(cudnnSetTensorNdDescriptorEx(y, format, g.dataType, nb, g.yDims.data()));
    std::vector<int> b(size_t(nb), 1);
    b[1] = g.yDims[1];
    KILN_CUDNN_CHECK(cudnnSetTensorNdDescriptorEx(bias, CUDNN_TENSOR_NCHW, g.dataType, nb, b.data()));
    KILN_CUDNN_CHECK(cudnnSetFilterNdDescriptor(w, g.dataType, format, nb, g.wDims.data()));
    KILN_CUDNN_CHECK(cudnnSetConvolutionNdDescriptor(conv, nb - 2, g.pads.data(), g.strides.data(),
                                                     g.dilations.data(), CUDNN_CROSS_CORRELATION, g.computeType));
    KILN_CUDNN_CHECK(cudnnSetConvolutionGroupCount(conv, g.group));
    KILN_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, g.math));
    KILN_CUDNN_CHECK(cudnnSetActivationDescriptor(act, relu ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                                  CUDNN_NOT_PROPAGATE_NAN, 0.0));
    std::vector<int> out(size_t(nb), 0);
    KILN_CUDNN_CHECK(cudnnGetConvolutionNdForwardOutputDim(conv, x, w, nb, out.data()));
    if (out != g.yDims) throw Error(ErrorCode::kInternal, "cuDNN computes another output shape for this convolution");
  } catch (...) {
    release();
    throw;
  }
}

CudnnConvDescriptors::~CudnnConvDescriptors() { release(); }

void CudnnConvDescriptors::release() noexcept {
  if (act) cudnnDestroyActivationDescriptor(act);
  if (conv) cudnnDestroyConvolutionDescriptor(conv);
  if (w) cudnnDestroyFilterDescriptor(w);
  if (bias) cudnnDestroyTensorDescriptor(bias);
  if (y) cudnnDestroyTensorDescriptor(y);
  if (x) cudnnDestroyTensorDescriptor(x);
  act = nullptr;
  conv = nullptr;
  w = nullptr;
  bias = y = x = nullptr;
}

int64_t cudnnConvWorkspace(cudnnHandle_t handle, const CudnnConvDescriptors& d, cudnnConvolutionFwdAlgo_t algo) {
  size_t bytes = 0;
  if (cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y, algo, &bytes) != CUDNN_STATUS_SUCCESS) {
    return -1;
  }
  return int64_t(bytes);
}

int64_t cudnnConvBackwardDataWorkspace(cudnnHandle_t handle, const CudnnConvDescriptors& d,
                                       cudnnConvolutionBwdDataAlgo_t algo) {
  size_t bytes = 0;
  if (cudnnGetConvolutionBackwardDataWorkspaceSize(handle, d.w, d.y, d.conv, d.x, algo, &bytes) !=
      CUDNN_STATUS_SUCCESS) {
    return -1;
  }
  return int64_t(bytes);
}

cudnnHandle_t buildTimeCudnnHandle() {
  static std::mutex mutex;
  static cudnnHandle_t handle = nullptr;
  std::lock_guard<std::mutex> lock(mutex);
  if (!handle) KILN_CUDNN_CHECK(cudnnCreate(&handle));
  return handle;
}

}  // namespace kiln::backend::cuda
