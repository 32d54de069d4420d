#include "backend/cuda/cublaslt_gemm.h"

#include <cstring>
#include <mutex>

#include "backend/cuda/cuda_check.h"

namespace kiln::backend::cuda {

namespace {

// The descriptors of one product, destroyed with the object.
class LtDescriptors {
 public:
  explicit LtDescriptors(const LtGemm& g) {
    KILN_CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc_, g.compute, CUDA_R_32F));
    // cuBLASLt's A is our B and its B is our A (see the header).
    const cublasOperation_t opA = g.transB ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t opB = g.transA ? CUBLAS_OP_T : CUBLAS_OP_N;
    KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &opA, sizeof(opA)));
    KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &opB, sizeof(opB)));
    const uint32_t epilogue = g.epilogue;
    KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue,
                                                     sizeof(epilogue)));
    // Stored shapes, column-major: B is [k, n] row-major = n x k (ld n), or [n, k] = k x n (ld k).
    a_ = layout(g.abType, g.transB ? g.k : g.n, g.transB ? g.n : g.k, g.transB ? g.k : g.n, g.batch, g.strideB);
    b_ = layout(g.abType, g.transA ? g.m : g.k, g.transA ? g.k : g.m, g.transA ? g.m : g.k, g.batch, g.strideA);
    c_ = layout(g.dType, g.n, g.m, g.n, g.batch, g.m * g.n);
    d_ = layout(g.dType, g.n, g.m, g.n, g.batch, g.m * g.n);
  }
  ~LtDescriptors() {
    for (cublasLtMatrixLayout_t l : {a_, b_, c_, d_}) {
      if (l) cublasLtMatrixLayoutDestroy(l);
    }
    if (desc_) cublasLtMatmulDescDestroy(desc_);
  }
  LtDescriptors(const LtDescriptors&) = delete;
  LtDescriptors& operator=(const LtDescriptors&) = delete;

  void setBias(const void* bias) {
    KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  }

  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, c_ = nullptr, d_ = nullptr;

 private:
  cublasLtMatrixLayout_t layout(cudaDataType_t type, int64_t rows, int64_t cols, int64_t ld, int64_t batch,
                                int64_t stride) {
    cublasLtMatrixLayout_t l = nullptr;
    KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&l, type, uint64_t(rows), uint64_t(cols), ld));
    if (batch > 1) {
      const int32_t count = int32_t(batch);
      KILN_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)));
      KILN_CUBLAS_CHECK(
          cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)));
    }
    return l;
  }
};

// The largest power of two up to 256 dividing the address (256 for null).
uint32_t alignmentOf(const void* p) {
  const auto v = reinterpret_cast<uintptr_t>(p);
  uint32_t a = 256;
  while (a > 1 && v % a != 0) a /= 2;
  return a;
}

class LtPreference {
 public:
  LtPreference(int64_t maxWorkspace, const LtOperands* ops) {
    KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref_));
    const uint64_t ws = uint64_t(maxWorkspace < 0 ? 0 : maxWorkspace);
    KILN_CUBLAS_CHECK(
        cublasLtMatmulPreferenceSetAttribute(pref_, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)));
    if (!ops) return;
    // cuBLASLt's A is our B (see the header).
    const std::pair<cublasLtMatmulPreferenceAttributes_t, const void*> aligns[] = {
        {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, ops->b},
        {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, ops->a},
        {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, ops->c ? ops->c : ops->d},
        {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, ops->d}};
    for (const auto& [attr, ptr] : aligns) {
      const uint32_t a = alignmentOf(ptr);
      KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref_, attr, &a, sizeof(a)));
    }
  }
  ~LtPreference() {
    if (pref_) cublasLtMatmulPreferenceDestroy(pref_);
  }
  LtPreference(const LtPreference&) = delete;
  LtPreference& operator=(const LtPreference&) = delete;

  cublasLtMatmulPreference_t pref_ = nullptr;
};

void appendBytes(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }

}  // namespace

std::string LtGemm::signature() const {
  return "lt1 " + std::to_string(int(abType)) + " " + std::to_string(int(dType)) + " " +
         std::to_string(int(compute)) + " " + std::to_string(m) + " " + std::to_string(n) + " " +
         std::to_string(k) + " " + std::to_string(int(transA)) + std::to_string(int(transB)) + " " +
         std::to_string(batch) + " " + std::to_string(strideA) + " " + std::to_string(strideB) + " " +
         std::to_string(beta != 0.f) + " " + std::to_string(int(epilogue));
}

std::optional<cudaDataType_t> ltType(DataType t) {
  switch (t) {
    case DataType::kFloat32: return CUDA_R_32F;
    case DataType::kFloat16: return CUDA_R_16F;
    case DataType::kBFloat16: return CUDA_R_16BF;
    default: return std::nullopt;
  }
}

cublasComputeType_t ltCompute(DataType t, Precision precision) {
  return t == DataType::kFloat32 && precision == Precision::kTF32 ? CUBLAS_COMPUTE_32F_FAST_TF32
                                                                  : CUBLAS_COMPUTE_32F;
}

cublasLtHandle_t buildTimeLtHandle() {
  static std::mutex mutex;
  static cublasLtHandle_t handle = nullptr;
  std::lock_guard<std::mutex> lock(mutex);
  if (!handle) KILN_CUBLAS_CHECK(cublasLtCreate(&handle));
  return handle;
}

std::vector<cublasLtMatmulHeuristicResult_t> ltHeuristics(cublasLtHandle_t handle, const LtGemm& g,
                                                         int64_t maxWorkspace, int count, const LtOperands* ops) {
  if (count <= 0) return {};
  LtDescriptors d(g);
  if (ops && ops->bias) d.setBias(ops->bias);
  LtPreference pref(maxWorkspace, ops);
  std::vector<cublasLtMatmulHeuristicResult_t> results(static_cast<size_t>(count));
  int returned = 0;
  const cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(handle, d.desc_, d.a_, d.b_, d.c_, d.d_, pref.pref_, count,
                                                           results.data(), &returned);
  if (st != CUBLAS_STATUS_SUCCESS) return {};
  results.resize(size_t(returned < 0 ? 0 : returned));
  std::vector<cublasLtMatmulHeuristicResult_t> ok;
  for (const auto& r : results) {
    if (r.state == CUBLAS_STATUS_SUCCESS) ok.push_back(r);
  }
  return ok;
}

void ltMatmul(cublasLtHandle_t handle, const LtGemm& g, const cublasLtMatmulAlgo_t* algo, const LtOperands& ops,
              void* workspace, int64_t workspaceBytes, cudaStream_t stream) {
  cublasLtMatmulAlgo_t chosen;
  if (!algo) {
    const auto found = ltHeuristics(handle, g, workspace ? workspaceBytes : 0, 1, &ops);
    if (found.empty()) {
      throwCallError("cublasLtMatmulAlgoGetHeuristic", "no algorithm for the product " + g.signature());
    }
    chosen = found[0].algo;
    algo = &chosen;
  }
  LtDescriptors d(g);
  if (ops.bias) d.setBias(ops.bias);
  const float alpha = g.alpha, beta = g.beta;
  KILN_CUBLAS_CHECK(cublasLtMatmul(handle, d.desc_, &alpha, ops.b, d.a_, ops.a, d.b_, &beta, ops.c ? ops.c : ops.d,
                                   d.c_, ops.d, d.d_, algo, workspace, size_t(workspace ? workspaceBytes : 0),
                                   stream));
}

void foldBatch(LtGemm& g) {
  if (g.batch > 1 && g.strideB == 0 && !g.transA && g.strideA == g.m * g.k) {
    g.m *= g.batch;
    g.batch = 1;
    g.strideA = 0;
  }
}

std::optional<int64_t> uniformStride(const std::vector<int64_t>& offsets) {
  if (offsets.size() < 2) return offsets.empty() || offsets[0] == 0 ? std::optional<int64_t>(0) : std::nullopt;
  const int64_t s = offsets[1] - offsets[0];
  for (size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] != int64_t(i) * s) return std::nullopt;
  }
  return s;
}

bool ltFullyAligned(const LtOperands& ops) {
  for (const void* p : {ops.a, ops.b, ops.c, static_cast<const void*>(ops.d), ops.bias}) {
    if (alignmentOf(p) < 256) return false;
  }
  return true;
}

std::string encodeLtAlgos(const std::vector<LtAlgoEntry>& entries, const std::string& prefix) {
  std::string out = prefix;
  const uint32_t n = uint32_t(entries.size());
  appendBytes(out, &n, sizeof(n));
  for (const auto& e : entries) {
    const uint32_t len = uint32_t(e.signature.size());
    appendBytes(out, &len, sizeof(len));
    out += e.signature;
    appendBytes(out, &e.algo, sizeof(e.algo));
    appendBytes(out, &e.workspaceBytes, sizeof(e.workspaceBytes));
  }
  return out;
}

std::vector<LtAlgoEntry> decodeLtAlgos(const std::string& state, size_t prefix) {
  const auto damaged = [] { return Error(ErrorCode::kInvalidPlan, "the stored cuBLASLt algorithms are damaged"); };
  size_t at = prefix;
  const auto read = [&](void* dst, size_t n) {
    if (at > state.size() || state.size() - at < n) throw damaged();
    std::memcpy(dst, state.data() + at, n);
    at += n;
  };
  uint32_t n = 0;
  read(&n, sizeof(n));
  if (n > 64) throw damaged();
  std::vector<LtAlgoEntry> entries(n);
  for (auto& e : entries) {
    uint32_t len = 0;
    read(&len, sizeof(len));
    if (len > 4096) throw damaged();
    e.signature.resize(len);
    read(e.signature.data(), len);
    read(&e.algo, sizeof(e.algo));
    read(&e.workspaceBytes, sizeof(e.workspaceBytes));
  }
  if (at != state.size()) throw damaged();
  return entries;
}

}  // namespace kiln::backend::cuda
