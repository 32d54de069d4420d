// Reference matrix products: a strided GEMM and a general sum of products
// over labelled loops (einsum). Float sums accumulate in double, integer sums
// in 64-bit integers (wrapping as the element type would).
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::kernels::cpu {

/// C = alpha * op(A) * op(B) + beta * C over row-major matrices, where op(A)
/// is M x K and op(B) is K x N.
struct GemmParams {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
  bool transA = false;  ///< A is stored K x M
  bool transB = false;  ///< B is stored N x K
  int64_t lda = 0;      ///< distance between rows of A as stored
  int64_t ldb = 0;      ///< distance between rows of B as stored
  int64_t ldc = 0;      ///< distance between rows of C
  double alpha = 1.0;
  double beta = 0.0;    ///< when 0, C's prior contents are not read
};

/// Computes the GEMM in `p` in place on c. T is float, double, Half,
/// BFloat16 or a 32/64-bit integer; for integers alpha and beta must be
/// integral for exact results.
template <class T>
void gemmReference(const GemmParams& p, const T* a, const T* b, T* c);

/// out[o] = sum of prod_k in_k[i_k] over every combination of loop indices,
/// where o and each i_k are the dot products of the loop indices with the
/// output's and operand k's strides. Loops with output stride 0 are summed; a
/// stride that is the sum of two dims' strides walks a diagonal.
struct ContractParams {
  std::vector<int64_t> loopSize;
  std::vector<int64_t> outStride;              ///< per loop
  std::vector<std::vector<int64_t>> inStride;  ///< per operand, per loop
  int64_t outNumel = 1;
};

/// Evaluates the contraction in `p` into out (fully overwritten). `in` holds
/// one pointer per operand. T is any float or integer type.
template <class T>
void contractReference(const ContractParams& p, const std::vector<const T*>& in, T* out);

}  // namespace kiln::kernels::cpu
