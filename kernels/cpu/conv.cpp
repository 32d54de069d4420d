#include "cpu/conv.h"

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

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

int64_t product(const std::vector<int64_t>& v) {
  int64_t n = 1;
  for (int64_t x : v) n *= x;
  return n;
}

std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& size) {
  std::vector<int64_t> s(size.size(), 1);
  for (size_t d = size.size(); d-- > 1;) s[d - 1] = s[d] * size[d];
  return s;
}

// Both kernels walk a "loop" tensor and touch a "mapped" tensor at
// loop * stride + offset (conv: loop = y, mapped = x; transposed: the other
// way round). For one filter tap, the loop positions whose mapped position is
// inside the mapped tensor form a box [lo, hi), so the walk needs no bounds
// checks and its innermost run is contiguous in the loop tensor.
struct Tap {
  std::vector<int64_t> offset, lo, hi;
  bool empty = false;
};

struct Plan {
  std::vector<int64_t> stride, loopStrides, mapStrides;
  std::vector<Tap> taps;  // in filter order
};

Plan makePlan(const ConvParams& p, const std::vector<int64_t>& loopSize,
              const std::vector<int64_t>& mapSize) {
  const size_t r = p.kernel.size();
  Plan plan{p.stride, rowMajorStrides(loopSize), rowMajorStrides(mapSize), {}};
  std::vector<int64_t> k(r, 0);
  for (int64_t t = 0; t < product(p.kernel); ++t) {
    Tap tap{std::vector<int64_t>(r), std::vector<int64_t>(r), std::vector<int64_t>(r)};
    for (size_t d = 0; d < r; ++d) {
      const int64_t off = k[d] * p.dilation[d] - p.padBegin[d];
      tap.offset[d] = off;
      tap.lo[d] = std::max<int64_t>(0, ceilDiv(-off, p.stride[d]));
      tap.hi[d] = std::min(loopSize[d], floorDiv(mapSize[d] - 1 - off, p.stride[d]) + 1);
      tap.empty = tap.empty || tap.lo[d] >= tap.hi[d];
    }
    plan.taps.push_back(std::move(tap));
    for (size_t d = r; d-- > 0;) {
      if (++k[d] < p.kernel[d]) break;
      k[d] = 0;
    }
  }
  return plan;
}

// Conv (kGather): loop[l] += w * mapped[l * s + off]. Transposed: mapped[l * s
// + off] += w * loop[l]. `idx` is scratch of the spatial rank.
template <bool kGather>
void addTap(const Plan& plan, const Tap& tap, double w, const double* src, double* dst,
            std::vector<int64_t>& idx) {
  const size_t last = tap.lo.size() - 1;
  for (size_t d = 0; d < last; ++d) idx[d] = tap.lo[d];
  const int64_t s = plan.stride[last], lo = tap.lo[last], hi = tap.hi[last];
  while (true) {
    int64_t loopBase = 0, mapBase = tap.offset[last];
    for (size_t d = 0; d < last; ++d) {
      loopBase += idx[d] * plan.loopStrides[d];
      mapBase += (idx[d] * plan.stride[d] + tap.offset[d]) * plan.mapStrides[d];
    }
    if constexpr (kGather) {
      const double* in = src + mapBase;
      double* out = dst + loopBase;
      if (s == 1) {
        for (int64_t l = lo; l < hi; ++l) out[l] += w * in[l];  // the common case, vectorized
      } else {
        for (int64_t l = lo; l < hi; ++l) out[l] += w * in[l * s];
      }
    } else {
      const double* in = src + loopBase;
      double* out = dst + mapBase;
      for (int64_t l = lo; l < hi; ++l) out[l * s] += w * in[l];
    }
    int64_t d = int64_t(last) - 1;
    for (; d >= 0; --d) {
      if (++idx[size_t(d)] < tap.hi[size_t(d)]) break;
      idx[size_t(d)] = tap.lo[size_t(d)];
    }
    if (d < 0) return;
  }
}

template <bool kTransposed, class T>
void run(const ConvParams& p, const T* x, const T* w, const T* bias, T* y) {
  const int64_t inPlane = product(p.inSize), outPlane = product(p.outSize), kPlane = product(p.kernel);
  const int64_t cinG = p.inChannels / p.group, coutG = p.outChannels / p.group;
  const Plan plan = kTransposed ? makePlan(p, p.inSize, p.outSize) : makePlan(p, p.outSize, p.inSize);
  std::vector<double> wd(size_t(p.outChannels * cinG * kPlane));
  for (size_t i = 0; i < wd.size(); ++i) wd[i] = double(w[i]);
  std::vector<double> xd(size_t(p.inChannels * inPlane));
  std::vector<double> acc(static_cast<size_t>(outPlane));
  std::vector<int64_t> idx(p.kernel.size());
  for (int64_t n = 0; n < p.batch; ++n) {
    const T* xn = x + n * p.inChannels * inPlane;
    for (size_t i = 0; i < xd.size(); ++i) xd[i] = double(xn[i]);
    for (int64_t g = 0; g < p.group; ++g) {
      for (int64_t m = 0; m < coutG; ++m) {
        const int64_t oc = g * coutG + m;
        std::fill(acc.begin(), acc.end(), bias ? double(bias[oc]) : 0.0);
        for (int64_t c = 0; c < cinG; ++c) {
          const int64_t ic = g * cinG + c;
          const double* src = xd.data() + ic * inPlane;
          const double* filter = wd.data() + (kTransposed ? ic * coutG + m : oc * cinG + c) * kPlane;
          for (size_t t = 0; t < plan.taps.size(); ++t) {
            if (plan.taps[t].empty) continue;
            if constexpr (kTransposed) addTap<false>(plan, plan.taps[t], filter[t], src, acc.data(), idx);
            else addTap<true>(plan, plan.taps[t], filter[t], src, acc.data(), idx);
          }
        }
        T* out = y + (n * p.outChannels + oc) * outPlane;
        for (int64_t i = 0; i < outPlane; ++i) out[i] = fromDouble<T>(acc[size_t(i)]);
      }
    }
  }
}

}  // namespace

template <class T>
void convReference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y) {
  run<false>(p, x, w, bias, y);
}

template <class T>
void convTransposeReference(const ConvParams& p, const T* x, const T* w, const T* bias, T* y) {
  run<true>(p, x, w, bias, y);
}

#define KILN_INSTANTIATE_CONV(T)                                                            \
  template void convReference<T>(const ConvParams&, const T*, const T*, const T*, T*);     \
  template void convTransposeReference<T>(const ConvParams&, const T*, const T*, const T*, T*);
KILN_INSTANTIATE_CONV(float)
KILN_INSTANTIATE_CONV(double)
KILN_INSTANTIATE_CONV(Half)
KILN_INSTANTIATE_CONV(BFloat16)
#undef KILN_INSTANTIATE_CONV

}  // namespace kiln::kernels::cpu
