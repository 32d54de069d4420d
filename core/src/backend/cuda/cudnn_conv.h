// cuDNN's view of a convolution: the descriptors of a forward convolution in
// NCHW (NCDHW) layout, built from the reference geometry, shared by the Conv
// and ConvTranspose tactics.
#pragma once

#include <cudnn.h>

#include <string>
#include <vector>

#include "backend/cuda/cuda_tactic.h"
#include "cpu/conv.h"

namespace kiln::backend::cuda {

/// A forward convolution as cuDNN takes it: at least 2 spatial dims (a 1-D
/// convolution gets a trailing dim of 1), symmetric padding.
struct CudnnConvGeometry {
  std::vector<int> xDims, wDims, yDims;  ///< N C spatial; K C/group spatial; N K spatial
  std::vector<int> pads, strides, dilations;
  int group = 1;
  cudnnDataType_t dataType = CUDNN_DATA_FLOAT;
  cudnnDataType_t computeType = CUDNN_DATA_FLOAT;
  cudnnMathType_t math = CUDNN_FMA_MATH;
  bool channelsLast = false;  ///< x and y NHWC, w KRSC (the dims above stay in NCHW order)
};

/// The geometry of the forward convolution `p` on tensors of `type` at
/// `precision` (f32 uses TF32 only at kTF32; f16 and bf16 accumulate in f32
/// on tensor cores). Sets `reason` when cuDNN cannot express it: padding that
/// is not symmetric (the end padding changes the output size), sizes beyond
/// int32, other types.
CudnnConvGeometry cudnnConvGeometry(const kernels::cpu::ConvParams& p, DataType type, Precision precision,
                                    std::string* reason);

/// The descriptors of one geometry, destroyed with the object. `bias` is
/// [1, K, 1, ...] and `act` is Relu, or identity when `relu` is false.
struct CudnnConvDescriptors {
  explicit CudnnConvDescriptors(const CudnnConvGeometry& g, bool relu = false);
  ~CudnnConvDescriptors();
  CudnnConvDescriptors(const CudnnConvDescriptors&) = delete;
  CudnnConvDescriptors& operator=(const CudnnConvDescriptors&) = delete;

  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnActivationDescriptor_t act = nullptr;

 private:
  void release() noexcept;
};

/// Workspace bytes of a forward algorithm, or -1 when cuDNN does not offer it.
int64_t cudnnConvWorkspace(cudnnHandle_t handle, const CudnnConvDescriptors& d, cudnnConvolutionFwdAlgo_t algo);

/// Workspace bytes of a backward-data algorithm (x is dx, y is dy), or -1.
int64_t cudnnConvBackwardDataWorkspace(cudnnHandle_t handle, const CudnnConvDescriptors& d,
                                       cudnnConvolutionBwdDataAlgo_t algo);

/// A handle for build-time queries, created on first use and kept for the
/// process. Throws Error when cuDNN cannot start (no GPU).
cudnnHandle_t buildTimeCudnnHandle();

/// The geometry of a ConvTranspose layer (inputs X, W, [B]) as the reference
/// derives it (output_padding, output_shape, auto_pad), in the reference's
/// terms: x is the layer's input, y its output, padBegin may be negative.
/// Throws Error naming the layer when attributes and shapes do not fit.
kernels::cpu::ConvParams readConvTransposeParams(const Layer& layer, int64_t opset, const std::vector<int64_t>& x,
                                                 const std::vector<int64_t>& w);

/// Adds Kiln's channels-last depthwise convolution (conv_depthwise_tactic.cpp).
void registerDepthwiseTactics(CudaTacticRegistry& r);

/// Adds the graph-API convolution tactics (conv_graph_tactics.cpp).
void registerConvGraphTactics(CudaTacticRegistry& r);

/// Adds the ConvTranspose tactics (conv_transpose_tactics.cpp).
void registerConvTransposeTactics(CudaTacticRegistry& r);

}  // namespace kiln::backend::cuda
