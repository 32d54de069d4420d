// Max and average pooling references over NC<spatial> tensors of any spatial
// rank. Averages accumulate in double.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::kernels::cpu {

/// What a pooling window computes.
enum class PoolMode : int32_t {
  kMax = 0,      ///< the largest element
  kAverage = 1,  ///< the mean of the elements
};

/// Geometry and options of a pooling. The spatial vectors all have the
/// spatial rank. Window position = out * stride + tap * dilation - padBegin.
struct PoolParams {
  int64_t batch = 1;
  int64_t channels = 1;
  std::vector<int64_t> inSize;
  std::vector<int64_t> outSize;
  std::vector<int64_t> kernel;
  std::vector<int64_t> stride;
  std::vector<int64_t> dilation;
  std::vector<int64_t> padBegin;
  std::vector<int64_t> padEnd;
  PoolMode mode = PoolMode::kMax;
  /// Average: divide by the taps inside the padded input rather than only
  /// those inside the input.
  bool countIncludePad = false;
  /// Max indices: the spatial part of an index is column-major (ONNX
  /// storage_order 1) rather than row-major.
  bool columnMajorIndices = false;
};

/// y[batch, channels, outSize...] = pool(x[batch, channels, inSize...]).
/// For kMax, `indices` (may be null) receives the flat index into x of each
/// maximum, the first one on ties. T is a float type or an 8-bit integer.
template <class T>
void poolReference(const PoolParams& p, const T* x, T* y, int64_t* indices);

}  // namespace kiln::kernels::cpu
