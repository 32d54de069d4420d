// Direct convolution and transposed convolution references over NC<spatial>
// tensors of any spatial rank. Sums accumulate in double.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::kernels::cpu {

/// Geometry of a grouped convolution. The spatial vectors all have the
/// spatial rank; `padBegin` may be negative (a transposed convolution whose
/// requested output is larger than its natural size).
struct ConvParams {
  int64_t batch = 1;
  int64_t inChannels = 1;   ///< channels of x
  int64_t outChannels = 1;  ///< channels of y
  int64_t group = 1;        ///< divides both channel counts
  std::vector<int64_t> inSize;    ///< spatial size of x
  std::vector<int64_t> outSize;   ///< spatial size of y
  std::vector<int64_t> kernel;    ///< spatial size of the filter
  std::vector<int64_t> stride;
  std::vector<int64_t> dilation;
  std::vector<int64_t> padBegin;  ///< padding before each spatial dim
};

/// y = conv(x, w) + bias. x: [batch, inChannels, inSize...]; w: [outChannels,
/// inChannels/group, kernel...]; bias: [outChannels] or null; y: [batch,
/// outChannels, outSize...]. Input position = out * stride + tap * dilation -
/// padBegin; taps outside x read zero. T is float, double, Half or BFloat16.
template <class T>
void convReference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y);

/// y = conv_transpose(x, w) + bias, the adjoint of convReference: output
/// position = in * stride + tap * dilation - padBegin; positions outside y are
/// dropped. x: [batch, inChannels, inSize...]; w: [inChannels,
/// outChannels/group, kernel...]; bias: [outChannels] or null.
template <class T>
void convTransposeReference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y);

}  // namespace kiln::kernels::cpu
