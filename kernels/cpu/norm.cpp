#include "cpu/norm.h"

#include <cmath>

#include "kiln/kernels/numeric.h"

namespace kiln::kernels::cpu {

template <class T>
void batchNorm(const BatchNormParams& p, const T* x, const double* scale, const double* bias,
               const double* mean, const double* var, T* y) {
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t c = 0; c < p.channels; ++c) {
      const double k = scale[c] / std::sqrt(var[c] + p.epsilon);
      const int64_t base = (n * p.channels + c) * p.inner;
      for (int64_t i = 0; i < p.inner; ++i) {
        y[base + i] = static_cast<T>((static_cast<double>(x[base + i]) - mean[c]) * k + bias[c]);
      }
    }
  }
}

template <class T>
void batchStats(const BatchNormParams& p, const T* x, double* mean, double* var) {
  const double count = double(p.batch * p.inner);
  for (int64_t c = 0; c < p.channels; ++c) {
    double sum = 0;
    for (int64_t n = 0; n < p.batch; ++n) {
      for (int64_t i = 0; i < p.inner; ++i) sum += static_cast<double>(x[(n * p.channels + c) * p.inner + i]);
    }
    const double m = sum / count;
    double sq = 0;
    for (int64_t n = 0; n < p.batch; ++n) {
      for (int64_t i = 0; i < p.inner; ++i) {
        const double d = static_cast<double>(x[(n * p.channels + c) * p.inner + i]) - m;
        sq += d * d;
      }
    }
    mean[c] = m;
    var[c] = sq / count;
  }
}

template <class T>
void blockNorm(const BlockNormParams& p, const T* x, const double* scale, const double* bias, T* y,
               double* mean, double* invStdDev) {
  for (int64_t b = 0; b < p.blocks; ++b) {
    const T* in = x + b * p.blockSize;
    T* out = y + b * p.blockSize;
    double sum = 0;
    for (int64_t j = 0; j < p.blockSize; ++j) sum += static_cast<double>(in[j]);
    const double m = sum / double(p.blockSize);
    double sq = 0;
    for (int64_t j = 0; j < p.blockSize; ++j) {
      const double d = static_cast<double>(in[j]) - m;
      sq += d * d;
    }
    const double inv = 1.0 / std::sqrt(sq / double(p.blockSize) + p.epsilon);
    const int64_t first = (b % p.period) * p.channelsPerBlock;
    for (int64_t j = 0; j < p.blockSize; ++j) {
      const int64_t k = first + j / p.inner;
      const double v = (static_cast<double>(in[j]) - m) * inv * scale[k];
      out[j] = static_cast<T>(bias ? v + bias[k] : v);
    }
    if (mean) mean[b] = m;
    if (invStdDev) invStdDev[b] = inv;
  }
}

#define KILN_NORM_INSTANTIATE(T)                                                                  \
  template void batchNorm<T>(const BatchNormParams&, const T*, const double*, const double*,      \
                             const double*, const double*, T*);                                    \
  template void batchStats<T>(const BatchNormParams&, const T*, double*, double*);                \
  template void blockNorm<T>(const BlockNormParams&, const T*, const double*, const double*, T*, \
                             double*, double*);
KILN_NORM_INSTANTIATE(float)
KILN_NORM_INSTANTIATE(double)
KILN_NORM_INSTANTIATE(Half)
KILN_NORM_INSTANTIATE(BFloat16)
#undef KILN_NORM_INSTANTIATE

}  // namespace kiln::kernels::cpu
