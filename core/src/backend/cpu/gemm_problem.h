// What a GEMM tactic computes for a MatMul, Gemm or kiln:GemmAct layer, read
// from the layer's attributes and its input shapes. kiln:GemmAct takes A, B,
// an optional bias C and, with `matmul` = 1, an optional residual Z of Y's
// shape; with `matmul` = 1 it is act(MatMul(A, B) + C + Z)
// (numpy batching and broadcasting, 1-D operands; alpha, beta, transA and
// transB are not read), otherwise act(Gemm(A, B, C)) with Gemm's transA,
// transB, alpha and beta.
#pragma once

#include <vector>

#include "backend/cpu/tactics.h"
#include "cpu/activation.h"
#include "cpu/gemm.h"

namespace kiln::backend::cpu {

/// A batch of equal matrix products and their epilogue.
struct GemmProblem {
  kernels::cpu::GemmParams params;  ///< one product, alpha included, beta 0
  std::vector<int64_t> aOffsets;    ///< per product: where its A starts, in elements
  std::vector<int64_t> bOffsets;    ///< per product: where its B starts (product i writes Y at i*m*n)
  std::vector<int64_t> outShape;    ///< Y's shape
  bool hasBias = false;             ///< input 2 (C), broadcast to Y
  std::vector<int64_t> biasShape;   ///< C's shape
  float biasScale = 1.f;            ///< beta: Y = alpha * A B + beta * C
  bool hasResidual = false;         ///< input 3 (Z) of kiln:GemmAct, Y's shape, added before the activation
  kernels::cpu::ActivationParams activation;  ///< kNone for MatMul and Gemm
};

/// True for the ops the GEMM tactics run: MatMul, Gemm and kiln:GemmAct.
bool isGemmLayer(const Layer& layer);

/// Reads the problem. Throws Error naming the layer when it is not a GEMM
/// layer or its attributes and input shapes do not fit together.
GemmProblem readGemmProblem(const Layer& layer, int64_t opset, const InputShapes& inputs);

}  // namespace kiln::backend::cpu
