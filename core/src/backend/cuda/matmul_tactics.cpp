// MatMul, Gemm and kiln:GemmAct through cuBLASLt: one tactic per algorithm
// that cuBLASLt's heuristic suggests ("cuda.matmul.cublaslt.h0" is its first
// choice). A bias over the last dim and Relu or the tanh Gelu ride on
// cuBLASLt's epilogue, and a residual Z in cuBLASLt's C; any other addend or
// activation runs in the epilogue kernel after the product.
#include <algorithm>

#include "backend/cpu/gemm_problem.h"
#include "backend/cuda/cublaslt_gemm.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/fused_epilogue.h"

namespace kiln::backend::cuda {

namespace {

// Algorithms per product offered as tactics.
constexpr int kLtAlgos = 4;

// How C reaches the result.
enum class AddKind {
  kNone,    // no C
  kBias,    // one value per column, through cuBLASLt's bias epilogue
  kFullC,   // C has Y's shape: cuBLASLt's C with beta
  kKernel,  // any other broadcast: the epilogue kernel
};

struct MatmulPlan {
  LtGemm gemm;
  std::vector<int64_t> outShape;
  AddKind add = AddKind::kNone;
  std::vector<int64_t> cShape;
  float cScale = 1.f;
  kernels::cpu::ActivationParams act;  // what the kernel applies (kNone: nothing)
  bool residual = false;               // kiln:GemmAct's Z: cuBLASLt's C with beta 1, or the kernel's
  bool residualInKernel = false;       // C holds a full-shape addend already: Z goes to the kernel
  bool empty = false;                  // Y has no elements
  bool useKernel() const {
    return add == AddKind::kKernel || residualInKernel || act.kind != kernels::cpu::Activation::kNone;
  }
};

std::string precisionReason(Precision p) {
  switch (p) {
    case Precision::kFP32: case Precision::kTF32: case Precision::kFP16: case Precision::kBF16: return {};
    default: return std::string("runs at fp32, tf32, fp16 and bf16, not ") + toString(p);
  }
}

bool isBiasVector(const std::vector<int64_t>& c, int64_t n) {
  if (c.empty()) return n == 1;
  for (size_t i = 0; i + 1 < c.size(); ++i) {
    if (c[i] != 1) return false;
  }
  return c.back() == n;
}

// `fuse`: whether cuBLASLt's epilogue may take the bias and the activation.
MatmulPlan planMatmul(const Layer& layer, int64_t opset, Precision precision, const std::vector<DeviceTensor>& inputs,
                      const std::vector<DeviceTensor>& outputs, bool fuse) {
  const ErrorLocation where{{}, layer.name, opKey(layer), opset};
  if (std::string r = precisionReason(precision); !r.empty()) throw Error(ErrorCode::kUnsupportedType, r, where);
  if (std::string r = sameFloatTypeReason(layer, inputs, outputs); !r.empty()) {
    throw Error(ErrorCode::kUnsupportedType, r, where);
  }
  const cpu::GemmProblem prob = cpu::readGemmProblem(layer, opset, inputShapes(layer, inputs));
  if (outputs[0].shape != prob.outShape) {
    throw Error(ErrorCode::kShapeMismatch, "the output is " + shapeString(outputs[0].shape) + ", the product " +
                                               shapeString(prob.outShape), where);
  }
  const auto strideA = uniformStride(prob.aOffsets), strideB = uniformStride(prob.bOffsets);
  if (!strideA || !strideB) {
    throw Error(ErrorCode::kShapeMismatch, "the batch dims of A and B do not broadcast as single strides", where);
  }
  const DataType t = outputs[0].type;
  MatmulPlan plan;
  plan.outShape = prob.outShape;
  LtGemm& g = plan.gemm;
  g.abType = g.dType = *ltType(t);
  g.compute = ltCompute(t, precision);
  g.m = prob.params.m;
  g.n = prob.params.n;
  g.k = prob.params.k;
  g.transA = prob.params.transA;
  g.transB = prob.params.transB;
  g.batch = int64_t(prob.aOffsets.size());
  g.strideA = *strideA;
  g.strideB = *strideB;
  g.alpha = float(prob.params.alpha);
  if (g.batch > int64_t(INT32_MAX)) throw Error(ErrorCode::kShapeMismatch, "too many products in the batch", where);
  foldBatch(g);
  plan.empty = g.batch == 0 || g.m == 0 || g.n == 0;

  const kernels::cpu::ActivationParams act = prob.activation;
  using kernels::cpu::Activation;
  if (prob.hasBias) {
    plan.cShape = prob.biasShape;
    plan.cScale = prob.biasScale;
    if (plan.cShape == plan.outShape && plan.cScale != 0.f) {
      plan.add = AddKind::kFullC;
      g.beta = plan.cScale;
    } else if (fuse && plan.cScale == 1.f && isBiasVector(plan.cShape, g.n)) {
      plan.add = AddKind::kBias;
    } else if (plan.cScale != 0.f) {
      plan.add = AddKind::kKernel;
    }
  }
  plan.act = act;
  plan.residual = prob.hasResidual;
  if (plan.residual && plan.add == AddKind::kFullC) {
    plan.residualInKernel = true;
    fuse = false;  // the activation must follow the kernel's residual add
  } else if (plan.residual) {
    g.beta = 1.f;  // D = A B + Z (+ bias, activation)
  }
  if (plan.add == AddKind::kBias) {
    g.epilogue = CUBLASLT_EPILOGUE_BIAS;
    if (act.kind == Activation::kRelu) g.epilogue = CUBLASLT_EPILOGUE_RELU_BIAS;
    if (act.kind == Activation::kGeluTanh) g.epilogue = CUBLASLT_EPILOGUE_GELU_BIAS;
  } else if (fuse && plan.add != AddKind::kKernel) {
    if (act.kind == Activation::kRelu) g.epilogue = CUBLASLT_EPILOGUE_RELU;
    if (act.kind == Activation::kGeluTanh) g.epilogue = CUBLASLT_EPILOGUE_GELU;
  }
  if (g.epilogue != CUBLASLT_EPILOGUE_DEFAULT && g.epilogue != CUBLASLT_EPILOGUE_BIAS) plan.act = {};
  return plan;
}

// The plan and the algorithm a tactic runs at build time.
struct Choice {
  MatmulPlan plan;
  bool fused = true;
  std::optional<cublasLtMatmulHeuristicResult_t> algo;  // none for an empty product or k = 0
};

Choice choose(const CudaLayerInfo& info, int index) {
  const Layer& layer = *info.layer;
  for (bool fuse : {true, false}) {
    Choice c{planMatmul(layer, info.opset, info.precision, info.inputs, info.outputs, fuse), fuse, std::nullopt};
    if (c.plan.empty || c.plan.gemm.k == 0) {
      if (index == 0) return c;
      throw Error(ErrorCode::kUnsupportedOp, "the product is empty; h0 runs it");
    }
    const auto found = ltHeuristics(buildTimeLtHandle(), c.plan.gemm, kLtMaxWorkspace, kLtAlgos);
    if (int(found.size()) > index) {
      c.algo = found[size_t(index)];
      return c;
    }
  }
  throw Error(ErrorCode::kUnsupportedOp, "cuBLASLt suggests fewer than " + std::to_string(index + 1) +
                                             " algorithms for this product");
}

class CublasLtMatmulTactic final : public CudaTactic {
 public:
  explicit CublasLtMatmulTactic(int index) : index_(index) {}

  std::string name() const override { return "cuda.matmul.cublaslt.h" + std::to_string(index_); }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      choose(info, index_);
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  int64_t workspaceBytes(const CudaLayerInfo& info) const override {
    const Choice c = choose(info, index_);
    return c.algo ? int64_t(c.algo->workspaceSize) : 0;
  }

  // State: 'F' (cuBLASLt fuses what it can) or 'U' (the kernel does the
  // epilogue), then the chosen algorithm.
  std::string prepare(const CudaLayerInfo& info) const override {
    const Choice c = choose(info, index_);
    std::vector<LtAlgoEntry> entries;
    if (c.algo) entries.push_back({c.plan.gemm.signature(), c.algo->algo, int64_t(c.algo->workspaceSize)});
    return encodeLtAlgos(entries, c.fused ? "F" : "U");
  }

  void enqueue(const Launch& launch) const override {
    const Layer& layer = *launch.layer;
    const std::string& state = *launch.state;
    if (state.empty() || (state[0] != 'F' && state[0] != 'U')) {
      throw Error(ErrorCode::kInvalidPlan, "the state of " + name() + " is damaged");
    }
    const MatmulPlan plan =
        planMatmul(layer, launch.opset, launch.precision, launch.inputs, launch.outputs, state[0] == 'F');
    if (plan.empty) return;
    const DataType t = launch.outputs[0].type;
    void* y = launch.outputs[0].data;
    const void* c = plan.add == AddKind::kNone ? nullptr : launch.inputs[2].data;
    const void* z = plan.residual ? launch.inputs[3].data : nullptr;
    if (plan.gemm.k == 0) {
      // An empty sum: Y = act(0 + beta * C).
      int64_t count = 1;
      for (int64_t d : plan.outShape) count *= d;
      KILN_CUDA_CHECK(cudaMemsetAsync(y, 0, size_t(count) * size_t(elementSize(t)), launch.stream));
      const kernels::cpu::ActivationParams act =
          cpu::readGemmProblem(layer, launch.opset, inputShapes(layer, launch.inputs)).activation;
      enqueueEpilogue(t, y, plan.outShape, c, plan.cShape, plan.cScale, z, act, launch.stream);
      return;
    }
    if (!launch.handles.cublasLt) throw Error(ErrorCode::kInternal, name() + " has no cuBLASLt handle");
    LtOperands ops;
    ops.a = launch.inputs[0].data;
    ops.b = launch.inputs[1].data;
    ops.d = y;
    if (plan.add == AddKind::kFullC) ops.c = c;
    if (plan.residual && !plan.residualInKernel) ops.c = z;
    if (plan.add == AddKind::kBias) ops.bias = c;
    const auto entries = decodeLtAlgos(state, 1);
    const bool reuse = entries.size() == 1 && entries[0].signature == plan.gemm.signature() &&
                       entries[0].workspaceBytes <= launch.workspaceBytes && ltFullyAligned(ops);
    ltMatmul(launch.handles.cublasLt, plan.gemm, reuse ? &entries[0].algo : nullptr, ops, launch.workspace,
             launch.workspaceBytes, launch.stream);
    if (plan.useKernel()) {
      enqueueEpilogue(t, y, plan.outShape, plan.add == AddKind::kKernel ? c : nullptr, plan.cShape, plan.cScale,
                      plan.residualInKernel ? z : nullptr, plan.act, launch.stream);
    }
  }

 private:
  int index_;
};

}  // namespace

void registerMatmulTactics(CudaTacticRegistry& r) {
  for (int i = 0; i < kLtAlgos; ++i) {
    r.add({"MatMul", "Gemm", "kiln:GemmAct"}, std::make_unique<CublasLtMatmulTactic>(i));
  }
}

}  // namespace kiln::backend::cuda
