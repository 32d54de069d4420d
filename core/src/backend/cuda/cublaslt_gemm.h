// Row-major batched matrix products through cuBLASLt, shared by the MatMul,
// Gemm, kiln:GemmAct and kiln:Attention tactics. cuBLASLt is column-major, so
// D = op(A) op(B) is computed as D^T = op(B)^T op(A)^T: the row-major
// buffers read as column-major are exactly the transposes.
#pragma once

#include <cublasLt.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/types.h"

namespace kiln::backend::cuda {

/// D[b] = epilogue(alpha * op(A[b]) * op(B[b]) + beta * C[b]) for b < batch;
/// all row-major, D and C are [m, n] contiguous with batch stride m * n.
struct LtGemm {
  cudaDataType_t abType = CUDA_R_32F;  ///< type of A and B
  cudaDataType_t dType = CUDA_R_32F;   ///< type of C and D (and of the bias)
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  int64_t m = 0, n = 0, k = 0;
  bool transA = false;  ///< A is stored [k, m]
  bool transB = false;  ///< B is stored [n, k]
  int64_t batch = 1;
  int64_t strideA = 0;  ///< elements between A's matrices; 0 broadcasts one matrix
  int64_t strideB = 0;
  float alpha = 1.f;
  float beta = 0.f;     ///< non-zero only with a C
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;  ///< *_BIAS ones take a bias of n values

  /// A stable text of every field, to tell whether a stored algorithm was chosen for this product.
  std::string signature() const;
};

/// The device pointers of one product. `c` may be null when beta is 0.
struct LtOperands {
  const void* a = nullptr;
  const void* b = nullptr;
  const void* c = nullptr;
  void* d = nullptr;
  const void* bias = nullptr;  ///< for the *_BIAS epilogues
};

/// The cuBLASLt element type of a tensor type: f32, f16, bf16; nullopt otherwise.
std::optional<cudaDataType_t> ltType(DataType t);

/// The compute type for a float type at a precision: TF32 only at kTF32.
cublasComputeType_t ltCompute(DataType t, Precision precision);

/// The workspace cuBLASLt tactics ask for at most.
inline constexpr int64_t kLtMaxWorkspace = int64_t(32) << 20;

/// A handle for build-time queries, created on first use and kept for the
/// process. Throws Error when cuBLASLt cannot start (no GPU).
cublasLtHandle_t buildTimeLtHandle();

/// Up to `count` algorithms cuBLASLt suggests for the product, best first,
/// each using at most `maxWorkspace` bytes. `ops`, where given, supplies the
/// pointers whose alignment the suggestions must respect (null: 256-byte
/// aligned). Empty when cuBLASLt has none.
std::vector<cublasLtMatmulHeuristicResult_t> ltHeuristics(cublasLtHandle_t handle, const LtGemm& g,
                                                         int64_t maxWorkspace, int count,
                                                         const LtOperands* ops = nullptr);

/// Enqueues the product with `algo` (null: cuBLASLt's first suggestion for
/// `workspaceBytes`). Throws Error naming the failing call.
void ltMatmul(cublasLtHandle_t handle, const LtGemm& g, const cublasLtMatmulAlgo_t* algo, const LtOperands& ops,
              void* workspace, int64_t workspaceBytes, cudaStream_t stream);

/// Folds the batch into the rows when A's matrices lie one after another and
/// B is one matrix for all: one large product instead of many small ones.
void foldBatch(LtGemm& g);

/// The stride s when offsets[i] == i * s for every i (0 for one offset); nullopt otherwise.
std::optional<int64_t> uniformStride(const std::vector<int64_t>& offsets);

/// True when every pointer of `ops` is 256-byte aligned, as build-time queries assume.
bool ltFullyAligned(const LtOperands& ops);

/// Stored algorithms: a list of (signature, algorithm) pairs in a string.
struct LtAlgoEntry {
  std::string signature;
  cublasLtMatmulAlgo_t algo{};
  int64_t workspaceBytes = 0;  ///< what the algorithm needs
};
std::string encodeLtAlgos(const std::vector<LtAlgoEntry>& entries, const std::string& prefix = {});
/// Parses what encodeLtAlgos wrote after `prefix` bytes; throws Error on damage.
std::vector<LtAlgoEntry> decodeLtAlgos(const std::string& state, size_t prefix = 0);

}  // namespace kiln::backend::cuda
