#include "cpu/gemm.h"

#include <algorithm>
#include <type_traits>

#include "kiln/kernels/numeric.h"

namespace kiln::kernels::cpu {

namespace {

template <class T>
using Acc = std::conditional_t<std::is_integral_v<T>,
                               std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>, double>;

template <class T>
Acc<T> toAcc(T v) {
  return static_cast<Acc<T>>(v);
}

template <class T>
T fromAcc(Acc<T> v) {
  if constexpr (std::is_arithmetic_v<T>) return static_cast<T>(v);
  else return T(float(v));
}

// Integers stay exact when the factor is 1, the common case.
template <class A>
A scale(A v, double f) {
  if constexpr (std::is_integral_v<A>) return f == 1.0 ? v : static_cast<A>(f * double(v));
  else return f * v;
}

}  // namespace

template <class T>
void gemmReference(const GemmParams& p, const T* a, const T* b, T* c) {
  using A = Acc<T>;
  std::vector<A> row(size_t(p.k)), acc(size_t(p.n));
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t q = 0; q < p.k; ++q) row[size_t(q)] = toAcc(p.transA ? a[q * p.lda + i] : a[i * p.lda + q]);
    if (p.transB) {
      // B's rows are the columns of op(B): one contiguous dot product each.
      for (int64_t j = 0; j < p.n; ++j) {
        const T* bj = b + j * p.ldb;
        A s = 0;
        for (int64_t q = 0; q < p.k; ++q) s += row[size_t(q)] * toAcc(bj[q]);
        acc[size_t(j)] = s;
      }
    } else {
      std::fill(acc.begin(), acc.end(), A(0));
      for (int64_t q = 0; q < p.k; ++q) {
        const A aq = row[size_t(q)];
        const T* bq = b + q * p.ldb;
        for (int64_t j = 0; j < p.n; ++j) acc[size_t(j)] += aq * toAcc(bq[j]);
      }
    }
    T* ci = c + i * p.ldc;
    for (int64_t j = 0; j < p.n; ++j) {
      A v = scale(acc[size_t(j)], p.alpha);
      if (p.beta != 0.0) v += scale(toAcc(ci[j]), p.beta);
      ci[j] = fromAcc<T>(v);
    }
  }
}

template <class T>
void contractReference(const ContractParams& p, const std::vector<const T*>& in, T* out) {
  using A = Acc<T>;
  std::vector<A> acc(size_t(p.outNumel), A(0));
  const size_t loops = p.loopSize.size(), ops = in.size();
  const bool empty = std::any_of(p.loopSize.begin(), p.loopSize.end(), [](int64_t s) { return s == 0; });
  std::vector<int64_t> idx(loops, 0), off(ops, 0);
  int64_t outOff = 0;
  while (!empty) {
    A prod = 1;
    for (size_t k = 0; k < ops; ++k) prod *= toAcc(in[k][off[k]]);
    acc[size_t(outOff)] += prod;
    size_t d = loops;
    while (d-- > 0) {
      if (++idx[d] < p.loopSize[d]) {
        outOff += p.outStride[d];
        for (size_t k = 0; k < ops; ++k) off[k] += p.inStride[k][d];
        break;
      }
      outOff -= p.outStride[d] * (p.loopSize[d] - 1);
      for (size_t k = 0; k < ops; ++k) off[k] -= p.inStride[k][d] * (p.loopSize[d] - 1);
      idx[d] = 0;
    }
    if (d == size_t(-1)) break;
  }
  for (int64_t i = 0; i < p.outNumel; ++i) out[i] = fromAcc<T>(acc[size_t(i)]);
}

#define KILN_INSTANTIATE_GEMM(T) \
  template void gemmReference<T>(const GemmParams&, const T*, const T*, T*);
#define KILN_INSTANTIATE_CONTRACT(T) \
  template void contractReference<T>(const ContractParams&, const std::vector<const T*>&, T*);
KILN_INSTANTIATE_GEMM(float)
KILN_INSTANTIATE_GEMM(double)
KILN_INSTANTIATE_GEMM(Half)
KILN_INSTANTIATE_GEMM(BFloat16)
KILN_INSTANTIATE_GEMM(int32_t)
KILN_INSTANTIATE_GEMM(int64_t)
KILN_INSTANTIATE_GEMM(uint32_t)
KILN_INSTANTIATE_GEMM(uint64_t)
KILN_INSTANTIATE_CONTRACT(float)
KILN_INSTANTIATE_CONTRACT(double)
KILN_INSTANTIATE_CONTRACT(Half)
KILN_INSTANTIATE_CONTRACT(BFloat16)
KILN_INSTANTIATE_CONTRACT(int8_t)
KILN_INSTANTIATE_CONTRACT(uint8_t)
KILN_INSTANTIATE_CONTRACT(int16_t)
KILN_INSTANTIATE_CONTRACT(uint16_t)
KILN_INSTANTIATE_CONTRACT(int32_t)
KILN_INSTANTIATE_CONTRACT(int64_t)
KILN_INSTANTIATE_CONTRACT(uint32_t)
KILN_INSTANTIATE_CONTRACT(uint64_t)
#undef KILN_INSTANTIATE_GEMM
#undef KILN_INSTANTIATE_CONTRACT

}  // namespace kiln::kernels::cpu
