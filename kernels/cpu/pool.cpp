#include "cpu/pool.h"

#include <algorithm>
#include <type_traits>

#include "kiln/kernels/numeric.h"

namespace kiln::kernels::cpu {

namespace {

template <class T>
T fromDouble(double v) {
  if constexpr (std::is_arithmetic_v<T>) return static_cast<T>(v);
  else return T(float(v));
}

int64_t product(const std::vector<int64_t>& v) {
  int64_t n = 1;
  for (int64_t x : v) n *= x;
  return n;
}

// Advances a row-major multi-index over `size`; false after the last one.
bool next(std::vector<int64_t>& idx, const std::vector<int64_t>& size) {
  for (size_t d = idx.size(); d-- > 0;) {
    if (++idx[d] < size[d]) return true;
    idx[d] = 0;
  }
  return false;
}

}  // namespace

template <class T>
void poolReference(const PoolParams& p, const T* x, T* y, int64_t* indices) {
  const size_t r = p.kernel.size();
  const int64_t inPlane = product(p.inSize), outPlane = product(p.outSize);
  std::vector<int64_t> rowStride(r, 1), colStride(r, 1);
  for (size_t d = r; d-- > 1;) rowStride[d - 1] = rowStride[d] * p.inSize[d];
  for (size_t d = 1; d < r; ++d) colStride[d] = colStride[d - 1] * p.inSize[d - 1];
  // Every tap's offset from the window origin, per dim.
  std::vector<int64_t> taps;
  std::vector<int64_t> k(r, 0);
  do {
    for (size_t d = 0; d < r; ++d) taps.push_back(k[d] * p.dilation[d]);
  } while (next(k, p.kernel));
  const size_t numTaps = taps.size() / r;

  std::vector<int64_t> o(r), pos(r);
  for (int64_t plane = 0; plane < p.batch * p.channels; ++plane) {
    const T* in = x + plane * inPlane;
    std::fill(o.begin(), o.end(), 0);
    for (int64_t i = 0; i < outPlane; ++i, next(o, p.outSize)) {
      double best = 0, sum = 0;
      int64_t bestIndex = -1, count = 0, padded = 0;
      for (size_t t = 0; t < numTaps; ++t) {
        bool inside = true, insidePadded = true;
        int64_t row = 0, col = 0;
        for (size_t d = 0; d < r; ++d) {
          pos[d] = o[d] * p.stride[d] + taps[t * r + d] - p.padBegin[d];
          inside = inside && pos[d] >= 0 && pos[d] < p.inSize[d];
          insidePadded = insidePadded && pos[d] < p.inSize[d] + p.padEnd[d];
          row += pos[d] * rowStride[d];
          col += pos[d] * colStride[d];
        }
        padded += insidePadded;
        if (!inside) continue;
        const double v = double(in[row]);
        ++count;
        sum += v;
        if (bestIndex < 0 || v > best) {
          best = v;
          bestIndex = p.columnMajorIndices ? col : row;
        }
      }
      const int64_t out = plane * outPlane + i;
      if (p.mode == PoolMode::kMax) {
        y[out] = fromDouble<T>(bestIndex < 0 ? 0.0 : best);
        if (indices) indices[out] = plane * inPlane + bestIndex;
      } else {
        const int64_t divisor = p.countIncludePad ? padded : count;
        y[out] = fromDouble<T>(divisor > 0 ? sum / double(divisor) : 0.0);
      }
    }
  }
}

template void poolReference<float>(const PoolParams&, const float*, float*, int64_t*);
template void poolReference<double>(const PoolParams&, const double*, double*, int64_t*);
template void poolReference<Half>(const PoolParams&, const Half*, Half*, int64_t*);
template void poolReference<BFloat16>(const PoolParams&, const BFloat16*, BFloat16*, int64_t*);
template void poolReference<int8_t>(const PoolParams&, const int8_t*, int8_t*, int64_t*);
template void poolReference<uint8_t>(const PoolParams&, const uint8_t*, uint8_t*, int64_t*);

}  // namespace kiln::kernels::cpu
