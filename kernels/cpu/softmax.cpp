#include "cpu/softmax.h"

#include <cmath>
#include <limits>
#include <vector>

#include "kiln/kernels/numeric.h"

namespace kiln::kernels::cpu {

template <class T>
void softmax(const SoftmaxParams& p, const T* x, T* y) {
  std::vector<double> row(size_t(p.axis));
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t i = 0; i < p.inner; ++i) {
      const int64_t base = o * p.axis * p.inner + i;
      double maxv = -std::numeric_limits<double>::infinity();
      int64_t argmax = 0;
      for (int64_t k = 0; k < p.axis; ++k) {
        row[size_t(k)] = static_cast<double>(x[base + k * p.inner]);
        if (row[size_t(k)] > maxv) { maxv = row[size_t(k)]; argmax = k; }
      }
      if (p.kind == SoftmaxKind::kHardmax) {
        for (int64_t k = 0; k < p.axis; ++k) y[base + k * p.inner] = static_cast<T>(k == argmax ? 1.0 : 0.0);
        continue;
      }
      // Subtracting the maximum keeps exp() finite for large inputs.
      double sum = 0;
      for (int64_t k = 0; k < p.axis; ++k) sum += std::exp(row[size_t(k)] - maxv);
      const double logSum = std::log(sum);
      for (int64_t k = 0; k < p.axis; ++k) {
        double v = row[size_t(k)] - maxv;
        v = p.kind == SoftmaxKind::kLogSoftmax ? v - logSum : std::exp(v) / sum;
        y[base + k * p.inner] = static_cast<T>(v);
      }
    }
  }
}

template void softmax<float>(const SoftmaxParams&, const float*, float*);
template void softmax<double>(const SoftmaxParams&, const double*, double*);
template void softmax<Half>(const SoftmaxParams&, const Half*, Half*);
template void softmax<BFloat16>(const SoftmaxParams&, const BFloat16*, BFloat16*);

}  // namespace kiln::kernels::cpu
