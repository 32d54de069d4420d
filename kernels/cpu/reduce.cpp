#include "cpu/reduce.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "kiln/kernels/numeric.h"

namespace kiln::kernels::cpu {

namespace {

template <class T>
using Accum = std::conditional_t<std::is_integral_v<T>,
                                 std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>, double>;

// The value of an empty reduction.
template <class A, class T>
A initial(ReduceOp op) {
  switch (op) {
    case ReduceOp::kProd: return A(1);
    case ReduceOp::kMax:
      if constexpr (std::is_floating_point_v<A>) return -std::numeric_limits<A>::infinity();
      else return A(std::numeric_limits<T>::lowest());
    case ReduceOp::kMin:
      if constexpr (std::is_floating_point_v<A>) return std::numeric_limits<A>::infinity();
      else return A(std::numeric_limits<T>::max());
    case ReduceOp::kLogSumExp: return -std::numeric_limits<A>::infinity();
    default: return A(0);
  }
}

template <class A>
A combine(ReduceOp op, A acc, A v) {
  switch (op) {
    case ReduceOp::kMax:
      if constexpr (std::is_floating_point_v<A>) { if (std::isnan(v)) return v; }
      return v > acc ? v : acc;
    case ReduceOp::kMin:
      if constexpr (std::is_floating_point_v<A>) { if (std::isnan(v)) return v; }
      return v < acc ? v : acc;
    case ReduceOp::kProd: return acc * v;
    case ReduceOp::kL1:
      if constexpr (std::is_signed_v<A>) return acc + (v < 0 ? -v : v);
      else return acc + v;
    case ReduceOp::kL2:
    case ReduceOp::kSumSquare: return acc + v * v;
    default: return acc + v;
  }
}

// Row-major strides of the output for every input axis (0 on reduced axes).
std::vector<int64_t> outputStrides(const ReduceParams& p) {
  std::vector<int64_t> s(p.shape.size(), 0);
  int64_t stride = 1;
  for (size_t i = p.shape.size(); i-- > 0;) {
    if (p.reduced[i]) continue;
    s[i] = stride;
    stride *= p.shape[i];
  }
  return s;
}

// Calls f(inputIndex, outputIndex) for every input element, row-major.
template <class F>
void forEachElement(const ReduceParams& p, F&& f) {
  int64_t n = 1;
  for (int64_t d : p.shape) n *= d;
  if (n == 0) return;
  const auto ostride = outputStrides(p);
  std::vector<int64_t> idx(p.shape.size(), 0);
  int64_t out = 0;
  for (int64_t k = 0; k < n; ++k) {
    f(k, out);
    for (size_t d = p.shape.size(); d-- > 0;) {
      if (++idx[d] < p.shape[d]) { out += ostride[d]; break; }
      out -= ostride[d] * (p.shape[d] - 1);
      idx[d] = 0;
    }
  }
}

}  // namespace

template <class T>
void reduce(const ReduceParams& p, const T* x, T* y) {
  using A = Accum<T>;
  int64_t outN = 1, count = 1;
  for (size_t i = 0; i < p.shape.size(); ++i) (p.reduced[i] ? count : outN) *= p.shape[i];
  std::vector<A> acc(size_t(outN), initial<A, T>(p.op));
  if (p.op == ReduceOp::kLogSumExp) {
    // log(sum(exp(x - max))) + max stays finite for large inputs.
    std::vector<A> maxv(size_t(outN), initial<A, T>(ReduceOp::kMax));
    forEachElement(p, [&](int64_t i, int64_t o) { maxv[size_t(o)] = combine(ReduceOp::kMax, maxv[size_t(o)], A(x[i])); });
    std::vector<double> sum(size_t(outN), 0.0);
    forEachElement(p, [&](int64_t i, int64_t o) { sum[size_t(o)] += std::exp(double(x[i]) - double(maxv[size_t(o)])); });
    for (int64_t o = 0; o < outN; ++o) {
      const double m = double(maxv[size_t(o)]);
      y[o] = static_cast<T>(std::isinf(m) ? m : std::log(sum[size_t(o)]) + m);
    }
    return;
  }
  forEachElement(p, [&](int64_t i, int64_t o) { acc[size_t(o)] = combine(p.op, acc[size_t(o)], static_cast<A>(x[i])); });
  for (int64_t o = 0; o < outN; ++o) {
    const A a = acc[size_t(o)];
    switch (p.op) {
      case ReduceOp::kMean: y[o] = static_cast<T>(double(a) / double(count)); break;
      case ReduceOp::kL2: y[o] = static_cast<T>(std::sqrt(double(a))); break;
      case ReduceOp::kLogSum: y[o] = static_cast<T>(std::log(double(a))); break;
      default: y[o] = static_cast<T>(a); break;
    }
  }
}

template <class T>
void argReduce(const ArgReduceParams& p, const T* x, int64_t* y) {
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t i = 0; i < p.inner; ++i) {
      const T* row = x + o * p.axis * p.inner + i;
      int64_t best = 0;
      double bestv = static_cast<double>(row[0]);
      for (int64_t k = 1; k < p.axis; ++k) {
        const double v = static_cast<double>(row[k * p.inner]);
        const bool better = p.max ? (v > bestv || (p.selectLast && v == bestv))
                                  : (v < bestv || (p.selectLast && v == bestv));
        if (better) { best = k; bestv = v; }
      }
      y[o * p.inner + i] = best;
    }
  }
}

#define KILN_REDUCE_INSTANTIATE(T)                                  \
  template void reduce<T>(const ReduceParams&, const T*, T*);       \
  template void argReduce<T>(const ArgReduceParams&, const T*, int64_t*);
KILN_REDUCE_INSTANTIATE(float)
KILN_REDUCE_INSTANTIATE(double)
KILN_REDUCE_INSTANTIATE(Half)
KILN_REDUCE_INSTANTIATE(BFloat16)
KILN_REDUCE_INSTANTIATE(int8_t)
KILN_REDUCE_INSTANTIATE(uint8_t)
KILN_REDUCE_INSTANTIATE(int16_t)
KILN_REDUCE_INSTANTIATE(uint16_t)
KILN_REDUCE_INSTANTIATE(int32_t)
KILN_REDUCE_INSTANTIATE(uint32_t)
KILN_REDUCE_INSTANTIATE(int64_t)
KILN_REDUCE_INSTANTIATE(uint64_t)
KILN_REDUCE_INSTANTIATE(bool)
#undef KILN_REDUCE_INSTANTIATE

}  // namespace kiln::kernels::cpu
