#include "backend/cpu/gemm_problem.h"

#include <algorithm>
#include <cstddef>

#include "backend/cpu/fused_activation.h"
#include "ops/common.h"

namespace kiln::backend::cpu {

namespace {

bool isOnnx(const Layer& layer) { return layer.domain.empty() || layer.domain == "ai.onnx"; }
bool isFused(const Layer& layer) { return layer.op == "GemmAct" && layer.domain == kKilnDomain; }

void checkInner(const ops::NodeContext& ctx, int64_t ka, int64_t kb) {
  if (ka != kb) {
    ctx.fail("inner dims differ: " + std::to_string(ka) + " vs " + std::to_string(kb), ErrorCode::kShapeMismatch);
  }
}

// numpy MatMul: batch dims broadcast; a 1-D A is a row, a 1-D B a column,
// and their unit dim is dropped from Y.
void readMatMul(const ops::NodeContext& ctx, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                GemmProblem& prob) {
  ctx.check(!a.empty() && !b.empty(), "MatMul operands must have at least one dim");
  kernels::cpu::GemmParams& p = prob.params;
  const std::vector<int64_t> aBatch(a.begin(), a.end() - std::min<ptrdiff_t>(2, ptrdiff_t(a.size())));
  const std::vector<int64_t> bBatch(b.begin(), b.end() - std::min<ptrdiff_t>(2, ptrdiff_t(b.size())));
  p.m = a.size() == 1 ? 1 : a[a.size() - 2];
  p.k = a.back();
  p.n = b.size() == 1 ? 1 : b.back();
  checkInner(ctx, p.k, b.size() == 1 ? b[0] : b[b.size() - 2]);
  p.lda = p.k;
  p.ldb = p.n;
  p.ldc = p.n;
  const std::vector<int64_t> batch = ops::broadcastShape(ctx, aBatch, bBatch);
  prob.aOffsets = ops::broadcastOffsets(batch, aBatch);
  prob.bOffsets = ops::broadcastOffsets(batch, bBatch);
  for (int64_t& o : prob.aOffsets) o *= p.m * p.k;
  for (int64_t& o : prob.bOffsets) o *= p.k * p.n;
  prob.outShape = batch;
  if (a.size() > 1) prob.outShape.push_back(p.m);
  if (b.size() > 1) prob.outShape.push_back(p.n);
}

void readGemm(const ops::NodeContext& ctx, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
              GemmProblem& prob) {
  ctx.check(a.size() == 2 && b.size() == 2, "Gemm operands must be matrices");
  kernels::cpu::GemmParams& p = prob.params;
  p.transA = ctx.attrInt("transA", 0) != 0;
  p.transB = ctx.attrInt("transB", 0) != 0;
  p.m = a[p.transA ? 1 : 0];
  p.k = a[p.transA ? 0 : 1];
  p.n = b[p.transB ? 0 : 1];
  checkInner(ctx, p.k, b[p.transB ? 1 : 0]);
  p.lda = a[1];
  p.ldb = b[1];
  p.ldc = p.n;
  p.alpha = ctx.attrFloat("alpha", 1.f);
  prob.biasScale = ctx.attrFloat("beta", 1.f);
  prob.aOffsets = {0};
  prob.bOffsets = {0};
  prob.outShape = {p.m, p.n};
}

}  // namespace

bool isGemmLayer(const Layer& layer) {
  return isFused(layer) || (isOnnx(layer) && (layer.op == "MatMul" || layer.op == "Gemm"));
}

GemmProblem readGemmProblem(const Layer& layer, int64_t opset, const InputShapes& inputs) {
  const ops::NodeContext ctx(layer, opset);
  ctx.check(isGemmLayer(layer), "is not a MatMul, Gemm or kiln:GemmAct layer");
  const bool fused = isFused(layer);
  const bool matmul = layer.op == "MatMul" || (fused && ctx.attrInt("matmul", 0) != 0);
  const size_t maxInputs = layer.op == "MatMul" ? 2 : fused && matmul ? 4 : 3;
  ctx.check(inputs.size() >= 2 && inputs.size() <= maxInputs && inputs[0] && inputs[1],
            "expects A, B" + std::string(maxInputs > 3 ? ", an optional C and an optional Z"
                                         : maxInputs > 2 ? " and an optional C" : ""));
  GemmProblem prob;
  if (matmul) readMatMul(ctx, *inputs[0], *inputs[1], prob);
  else readGemm(ctx, *inputs[0], *inputs[1], prob);
  prob.hasBias = inputs.size() > 2 && inputs[2];
  if (prob.hasBias) {
    prob.biasShape = *inputs[2];
    if (ops::broadcastShape(ctx, prob.outShape, prob.biasShape) != prob.outShape) {
      ctx.fail("C " + shapeString(prob.biasShape) + " does not broadcast to Y " + shapeString(prob.outShape),
               ErrorCode::kShapeMismatch);
    }
  }
  prob.hasResidual = inputs.size() > 3 && inputs[3];
  if (prob.hasResidual && *inputs[3] != prob.outShape) {
    ctx.fail("Z " + shapeString(*inputs[3]) + " does not have Y's shape " + shapeString(prob.outShape),
             ErrorCode::kShapeMismatch);
  }
  if (fused) prob.activation = readFusedActivation(ctx);
  return prob;
}

}  // namespace kiln::backend::cpu
