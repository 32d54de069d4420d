#include "panels/tensor_stats.h"

#include <algorithm>
#include <cmath>

namespace kiln::ui {

TensorStats computeTensorStats(const HostTensor& tensor, int binCount) {
  TensorStats s;
  s.count = tensor.numel();
  if (!tensor.hasData() || s.count == 0) return s;
  double sum = 0;
  s.min = INFINITY;
  s.max = -INFINITY;
  for (int64_t i = 0; i < s.count; ++i) {
    const double v = tensor.getAsDouble(i);
    if (std::isnan(v)) {
      ++s.nanCount;
      continue;
    }
    sum += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  const int64_t n = s.count - s.nanCount;
  if (n == 0) {
    s.min = s.max = NAN;
    return s;
  }
  s.mean = sum / double(n);
  // A second pass for the variance: one-pass sums lose digits on large tensors.
  double squares = 0;
  const bool finite = std::isfinite(s.min) && std::isfinite(s.max);  // no histogram over infinities
  if (finite) s.bins.assign(size_t(std::max(binCount, 1)), 0);
  s.binLow = s.min;
  s.binWidth = s.max > s.min ? (s.max - s.min) / double(s.bins.size()) : 1.0;
  for (int64_t i = 0; i < s.count; ++i) {
    const double v = tensor.getAsDouble(i);
    if (std::isnan(v)) continue;
    squares += (v - s.mean) * (v - s.mean);
    if (!finite) continue;
    const auto bin = std::clamp<int64_t>(int64_t((v - s.binLow) / s.binWidth), 0, int64_t(s.bins.size()) - 1);
    ++s.bins[size_t(bin)];
  }
  s.stddev = std::sqrt(squares / double(n));
  return s;
}

}  // namespace kiln::ui
