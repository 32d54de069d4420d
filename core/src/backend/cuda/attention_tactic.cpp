// kiln:Attention, two ways:
// - "cuda.attention.cublaslt": two strided-batched cuBLASLt products around a
//   row softmax: S = Q K^T (f32, in the workspace), P = softmax(S * scale +
//   mask) (the tensor type, in the workspace), Y = P V;
// - "cuda.attention.fused-wN" (FP16): one flash-attention style kernel of N
//   warps per block, whose scores stay on chip.
#include "backend/cuda/broadcast_indexer.h"
#include "backend/cuda/cublaslt_gemm.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/fused_epilogue.h"
#include "cuda/attention.cuh"
#include "cuda/softmax_rows.cuh"
#include "ops/common.h"
#include "ops/fused.h"

namespace kiln::backend::cuda {

namespace {

constexpr int64_t kAlign = 256;

int64_t alignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

struct AttentionPlan {
  LtGemm scores;  // S = Q K^T
  LtGemm output;  // Y = P V
  int64_t rows = 0, lk = 0, d = 0;
  int64_t count = 0, lq = 0, dv = 0;                 // matrices, query rows, value size
  int64_t qStride = 0, kStride = 0, vStride = 0;      // elements between matrices, before folding
  bool kTransposed = false;
  bool bshd[4] = {};  // Q, K, V, Y stored [B, L, H, D] (attributes q_bshd ... y_bshd)
  int64_t heads = 1;  // H where any operand is stored so
  bool anyBshd() const { return bshd[0] || bshd[1] || bshd[2] || bshd[3]; }
  float scale = 1.f;
  std::vector<int64_t> scoreShape;  // batch..., Lq, Lk
  std::optional<kernels::cuda::Indexer> mask;
  int64_t scoresBytes = 0, probsBytes = 0;  // workspace regions before cuBLASLt's
  bool empty = false;
};

std::vector<int64_t> batchOf(const std::vector<int64_t>& s) { return {s.begin(), s.end() - 2}; }

// The stride between the matrices of `t` over the broadcast batch, or throws.
int64_t matrixStride(const ops::NodeContext& ctx, const std::vector<int64_t>& batch, const std::vector<int64_t>& t,
                     const char* what) {
  const auto stride = uniformStride(ops::broadcastOffsets(batch, batchOf(t)));
  if (!stride) ctx.fail(std::string("the batch dims of ") + what + " do not broadcast as a single stride",
                        ErrorCode::kShapeMismatch);
  return *stride * t[t.size() - 2] * t[t.size() - 1];
}

AttentionPlan planAttention(const Layer& layer, int64_t opset, Precision precision,
                            const std::vector<DeviceTensor>& inputs, const std::vector<DeviceTensor>& outputs) {
  const ops::NodeContext ctx(layer, opset);
  if (precision != Precision::kFP32 && precision != Precision::kTF32 && precision != Precision::kFP16 &&
      precision != Precision::kBF16) {
    ctx.fail(std::string("runs at fp32, tf32, fp16 and bf16, not ") + toString(precision), ErrorCode::kUnsupportedType);
  }
  if (std::string r = sameFloatTypeReason(layer, inputs, outputs); !r.empty()) ctx.fail(r, ErrorCode::kUnsupportedType);
  ctx.check(hasInput(layer, inputs, 0) && hasInput(layer, inputs, 1) && hasInput(layer, inputs, 2),
            "expects Q, K, V and an optional mask");
  // Operands stored [B, L, H, D] are read (Y written) as [B, H, L, D].
  bool bshd[4];
  for (size_t i = 0; i < 4; ++i) bshd[i] = ctx.attrInt(ops::kAttentionBshdAttrs[i], 0) != 0;
  const auto asRead = [&](size_t i) {
    std::vector<int64_t> s = i < 3 ? inputs[i].shape : outputs[0].shape;
    if (bshd[i]) {
      ctx.check(s.size() == 4, std::string(ops::kAttentionBshdAttrs[i]) + " needs a 4-D operand");
      std::swap(s[1], s[2]);
    }
    return s;
  };
  const std::vector<int64_t> q = asRead(0), k = asRead(1), v = asRead(2), y = asRead(3);
  ctx.check(q.size() >= 2 && k.size() >= 2 && v.size() >= 2, "Q, K and V must have at least two dims");
  const bool kt = ctx.attrInt("k_transposed", 0) != 0;
  ctx.check(!(kt && bshd[1]), "k_bshd reads K as [B, H, Lk, D]: k_transposed must be 0");
  const int64_t lq = q[q.size() - 2], d = q.back();
  const int64_t lk = kt ? k.back() : k[k.size() - 2];
  const int64_t dv = v.back();
  ctx.check((kt ? k[k.size() - 2] : k.back()) == d, "Q and K have different head sizes");
  ctx.check(v[v.size() - 2] == lk, "K and V have different sequence lengths");
  const std::vector<int64_t> batch = ops::broadcastShape(ctx, ops::broadcastShape(ctx, batchOf(q), batchOf(k)), batchOf(v));
  std::vector<int64_t> outShape = batch;
  outShape.push_back(lq);
  outShape.push_back(dv);
  if (y != outShape) {
    ctx.fail("the output is " + shapeString(outputs[0].shape) + ", not " + shapeString(outShape) +
                 (bshd[3] ? " with heads and rows swapped" : ""),
             ErrorCode::kShapeMismatch);
  }
  int64_t count = 1;
  for (int64_t b : batch) count *= b;
  ctx.check(count <= int64_t(INT32_MAX), "too many matrices in the batch");

  AttentionPlan plan;
  plan.rows = count * lq;
  plan.lk = lk;
  plan.d = d;
  plan.count = count;
  plan.lq = lq;
  plan.dv = dv;
  plan.kTransposed = kt;
  std::copy(bshd, bshd + 4, plan.bshd);
  if (plan.anyBshd()) {
    ctx.check(batch.size() == 2, "operands stored [B, L, H, D] need a batch of [B, H]");
    for (size_t i = 0; i < 3; ++i) {
      if (bshd[i]) ctx.check(asRead(i).size() == 4 && std::equal(batch.begin(), batch.end(), asRead(i).begin()),
                             std::string(ops::kAttentionBshdAttrs[i]) + " does not take a broadcast batch");
    }
    plan.heads = batch[1];
  }
  plan.scale = ctx.attrFloat("scale", 1.f);
  plan.scoreShape = batch;
  plan.scoreShape.push_back(lq);
  plan.scoreShape.push_back(lk);
  plan.empty = count == 0 || lq == 0 || dv == 0;
  if (!plan.empty && lk == 0) ctx.fail("attention over an empty sequence is undefined", ErrorCode::kShapeMismatch);
  if (hasInput(layer, inputs, 3)) {
    plan.mask = broadcastIndexer(plan.scoreShape, inputs[3].shape);
    if (!plan.mask) {
      ctx.fail("the mask " + shapeString(inputs[3].shape) + " does not broadcast onto the scores " +
                   shapeString(plan.scoreShape),
               ErrorCode::kShapeMismatch);
    }
  }
  const DataType t = outputs[0].type;
  LtGemm& s = plan.scores;
  s.abType = *ltType(t);
  s.dType = CUDA_R_32F;
  s.compute = ltCompute(t, precision);
  s.m = lq;
  s.n = lk;
  s.k = d;
  s.transB = !kt;  // K^T: K is stored [Lk, D] unless given transposed
  s.batch = count;
  s.strideA = matrixStride(ctx, batch, q, "Q");
  s.strideB = matrixStride(ctx, batch, k, "K");
  plan.qStride = s.strideA;
  plan.kStride = s.strideB;
  foldBatch(s);
  LtGemm& o = plan.output;
  o.abType = o.dType = *ltType(t);
  o.compute = s.compute;
  o.m = lq;
  o.n = dv;
  o.k = lk;
  o.batch = count;
  o.strideA = lq * lk;
  o.strideB = matrixStride(ctx, batch, v, "V");
  plan.vStride = o.strideB;
  foldBatch(o);
  plan.scoresBytes = alignUp(plan.rows * lk * int64_t(sizeof(float)));
  plan.probsBytes = alignUp(plan.rows * lk * int64_t(elementSize(t)));
  return plan;
}

struct Choice {
  AttentionPlan plan;
  std::vector<LtAlgoEntry> algos;  // scores, then output; empty when the plan is empty
};

Choice choose(const CudaLayerInfo& info) {
  Choice c{planAttention(*info.layer, info.opset, info.precision, info.inputs, info.outputs), {}};
  if (c.plan.anyBshd()) {
    throw Error(ErrorCode::kUnsupportedOp, "runs operands stored [B, H, L, D] only (no *_bshd)");
  }
  if (c.plan.empty) return c;
  for (const LtGemm* g : {&c.plan.scores, &c.plan.output}) {
    if (g->k == 0) {  // no product to run (D = 0): the scores are cleared instead
      c.algos.push_back({g->signature(), {}, 0});
      continue;
    }
    const auto found = ltHeuristics(buildTimeLtHandle(), *g, kLtMaxWorkspace, 1);
    if (found.empty()) throw Error(ErrorCode::kUnsupportedOp, "cuBLASLt has no algorithm for " + g->signature());
    c.algos.push_back({g->signature(), found[0].algo, int64_t(found[0].workspaceSize)});
  }
  return c;
}

class AttentionTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.attention.cublaslt"; }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      choose(info);
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  int64_t workspaceBytes(const CudaLayerInfo& info) const override {
    const Choice c = choose(info);
    int64_t lt = 0;
    for (const auto& e : c.algos) lt = std::max(lt, e.workspaceBytes);
    return c.plan.empty ? 0 : c.plan.scoresBytes + c.plan.probsBytes + lt;
  }

  std::string prepare(const CudaLayerInfo& info) const override { return encodeLtAlgos(choose(info).algos); }

  void enqueue(const Launch& launch) const override {
    const AttentionPlan plan =
        planAttention(*launch.layer, launch.opset, launch.precision, launch.inputs, launch.outputs);
    if (plan.empty) return;
    if (!launch.handles.cublasLt) throw Error(ErrorCode::kInternal, name() + " has no cuBLASLt handle");
    const int64_t ltBytes = launch.workspaceBytes - plan.scoresBytes - plan.probsBytes;
    if (!launch.workspace || ltBytes < 0) {
      throw Error(ErrorCode::kInternal, name() + " needs " + std::to_string(plan.scoresBytes + plan.probsBytes) +
                                            " workspace bytes at these shapes, has " +
                                            std::to_string(launch.workspaceBytes));
    }
    char* ws = static_cast<char*>(launch.workspace);
    float* scores = reinterpret_cast<float*>(ws);
    void* probs = ws + plan.scoresBytes;
    void* ltWs = ltBytes > 0 ? ws + plan.scoresBytes + plan.probsBytes : nullptr;
    const auto stored = decodeLtAlgos(*launch.state);
    const auto algoFor = [&](size_t i, const LtGemm& g, const LtOperands& ops) -> const cublasLtMatmulAlgo_t* {
      const bool reuse = i < stored.size() && stored[i].signature == g.signature() &&
                         stored[i].workspaceBytes <= ltBytes && ltFullyAligned(ops);
      return reuse ? &stored[i].algo : nullptr;
    };

    LtOperands s;
    s.a = launch.inputs[0].data;
    s.b = launch.inputs[1].data;
    s.d = scores;
    if (plan.d == 0) {
      KILN_CUDA_CHECK(cudaMemsetAsync(scores, 0, size_t(plan.rows * plan.lk) * sizeof(float), launch.stream));
    } else {
      ltMatmul(launch.handles.cublasLt, plan.scores, algoFor(0, plan.scores, s), s, ltWs, ltBytes, launch.stream);
    }

    kernels::cuda::SoftmaxRowsParams sm;
    sm.scores = scores;
    sm.probs = probs;
    sm.probsType = *floatElemType(launch.outputs[0].type);
    sm.rows = plan.rows;
    sm.cols = plan.lk;
    sm.scale = plan.scale;
    if (plan.mask) {
      sm.mask = launch.inputs[3].data;
      sm.maskType = sm.probsType;
      sm.maskIndex = *plan.mask;
    }
    KILN_CUDA_CHECK(kernels::cuda::launchSoftmaxRows(sm, launch.stream));

    LtOperands o;
    o.a = probs;
    o.b = launch.inputs[2].data;
    o.d = launch.outputs[0].data;
    ltMatmul(launch.handles.cublasLt, plan.output, algoFor(1, plan.output, o), o, ltWs, ltBytes, launch.stream);
  }
};

// The fused kernel's parameters, or throws why it does not run the layer.
kernels::cuda::FusedAttentionParams fusedParams(const Layer& layer, int64_t opset, Precision precision,
                                                const std::vector<DeviceTensor>& inputs,
                                                const std::vector<DeviceTensor>& outputs, int warps) {
  const AttentionPlan plan = planAttention(layer, opset, precision, inputs, outputs);
  const ops::NodeContext ctx(layer, opset);
  if (outputs[0].type != DataType::kFloat16) ctx.fail("runs fp16 tensors", ErrorCode::kUnsupportedType);
  if (const char* r = kernels::cuda::fusedAttentionRefusal(int(plan.d), int(plan.dv), warps); *r) {
    ctx.fail(r, ErrorCode::kUnsupportedOp);
  }
  ctx.check(plan.lq <= INT32_MAX && plan.lk <= INT32_MAX && plan.count <= INT32_MAX, "sizes beyond the kernel's range");
  kernels::cuda::FusedAttentionParams p;
  p.batch = plan.empty ? 0 : int(plan.count);
  p.lq = int(plan.lq);
  p.lk = int(plan.lk);
  p.d = int(plan.d);
  p.dv = int(plan.dv);
  p.heads = int(plan.heads);
  // [rows][cols] matrices: contiguous `stride` apart, or stored [B, rows, H, cols].
  const auto layout = [&](bool bshd, int64_t stride, int64_t rows, int64_t cols) {
    kernels::cuda::MatrixLayout l;
    if (bshd) {
      l.outer = rows * plan.heads * cols;
      l.inner = cols;
      l.ld = plan.heads * cols;
    } else {
      l.outer = plan.heads * stride;
      l.inner = stride;
      l.ld = cols;
    }
    return l;
  };
  p.ql = layout(plan.bshd[0], plan.qStride, plan.lq, plan.d);
  p.kl = plan.kTransposed ? layout(false, plan.kStride, plan.d, plan.lk) : layout(plan.bshd[1], plan.kStride, plan.lk, plan.d);
  p.vl = layout(plan.bshd[2], plan.vStride, plan.lk, plan.dv);
  p.yl = layout(plan.bshd[3], plan.lq * plan.dv, plan.lq, plan.dv);
  p.kTransposed = plan.kTransposed;
  p.scale = plan.scale;
  p.warps = warps;
  if (plan.mask) {
    // Along a row of scores the mask steps by its innermost stride (the
    // indexer merges dims, so its last one is a multiple of Lk, or absent).
    p.maskIndex = *plan.mask;
    const int last = p.maskIndex.rank - 1;
    ctx.check(last < 0 || plan.lk <= 1 || p.maskIndex.dims[last] % plan.lk == 0,
              "the mask does not step evenly along the keys");
    p.maskStep = last < 0 ? 0 : p.maskIndex.strides[last];
  }
  return p;
}

class FusedAttentionTactic final : public CudaTactic {
 public:
  explicit FusedAttentionTactic(int warps) : warps_(warps) {}

  std::string name() const override { return "cuda.attention.fused-w" + std::to_string(warps_); }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      fusedParams(*info.layer, info.opset, info.precision, info.inputs, info.outputs, warps_);
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  void enqueue(const Launch& launch) const override {
    kernels::cuda::FusedAttentionParams p =
        fusedParams(*launch.layer, launch.opset, launch.precision, launch.inputs, launch.outputs, warps_);
    p.q = launch.inputs[0].data;
    p.k = launch.inputs[1].data;
    p.v = launch.inputs[2].data;
    p.y = launch.outputs[0].data;
    if (hasInput(*launch.layer, launch.inputs, 3)) p.mask = launch.inputs[3].data;
    KILN_CUDA_CHECK(kernels::cuda::launchFusedAttention(p, launch.stream));
  }

 private:
  int warps_;
};

}  // namespace

void registerAttentionTactics(CudaTacticRegistry& r) {
  r.add({"kiln:Attention"}, std::make_unique<AttentionTactic>());
  for (int warps : {1, 2, 4}) r.add({"kiln:Attention"}, std::make_unique<FusedAttentionTactic>(warps));
}

}  // namespace kiln::backend::cuda
