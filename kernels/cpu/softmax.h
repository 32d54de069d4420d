// Softmax, LogSoftmax and Hardmax over one axis of a tensor viewed as
// [outer, axis, inner].
#pragma once

#include <cstdint>

namespace kiln::kernels::cpu {

enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

struct SoftmaxParams {
  int64_t outer = 1;  ///< product of the dims before the axis
  int64_t axis = 1;   ///< length of the normalized axis
  int64_t inner = 1;  ///< product of the dims after the axis
  SoftmaxKind kind = SoftmaxKind::kSoftmax;
};

/// y = softmax(x) along the axis. T: float, double, Half, BFloat16.
template <class T>
void softmax(const SoftmaxParams& p, const T* x, T* y);

}  // namespace kiln::kernels::cpu
