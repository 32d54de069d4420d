// Reductions over any set of axes, and ArgMax/ArgMin over one axis.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::kernels::cpu {

enum class ReduceOp { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

struct ReduceParams {
  std::vector<int64_t> shape;  ///< the input shape
  std::vector<bool> reduced;   ///< per axis of `shape`: true when it is reduced
  ReduceOp op = ReduceOp::kSum;
};

/// Reduces x into y, whose elements are the input's with the reduced axes
/// dropped (row-major). Floats accumulate in double, integers in 64 bits.
/// T: float, double, Half, BFloat16, the integer types and bool.
template <class T>
void reduce(const ReduceParams& p, const T* x, T* y);

struct ArgReduceParams {
  int64_t outer = 1;  ///< product of the dims before the axis
  int64_t axis = 1;   ///< length of the searched axis (> 0)
  int64_t inner = 1;  ///< product of the dims after the axis
  bool max = true;    ///< ArgMax, else ArgMin
  bool selectLast = false;  ///< on ties, the last index rather than the first
};

/// y[o, i] = index along the axis of the extreme element of x[o, :, i].
template <class T>
void argReduce(const ArgReduceParams& p, const T* x, int64_t* y);

}  // namespace kiln::kernels::cpu
