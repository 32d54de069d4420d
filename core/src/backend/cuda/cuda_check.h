// Turns CUDA, cuDNN, cuBLAS and NVRTC failures into kiln::Error naming the call.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <nvrtc.h>

#include <string>

#include "kiln/errors.h"

namespace kiln::backend::cuda {

[[noreturn]] inline void throwCallError(const char* call, const std::string& what) {
  throw Error(ErrorCode::kInternal, std::string(call) + " failed: " + what);
}

}  // namespace kiln::backend::cuda

#define KILN_CUDA_CHECK(expr)                                                                              \
  do {                                                                                                     \
    cudaError_t kiln_status_ = (expr);                                                                     \
    if (kiln_status_ != cudaSuccess) ::kiln::backend::cuda::throwCallError(#expr, cudaGetErrorString(kiln_status_)); \
  } while (0)

#define KILN_CUDNN_CHECK(expr)                                                                             \
  do {                                                                                                     \
    cudnnStatus_t kiln_status_ = (expr);                                                                   \
    if (kiln_status_ != CUDNN_STATUS_SUCCESS) ::kiln::backend::cuda::throwCallError(#expr, cudnnGetErrorString(kiln_status_)); \
  } while (0)

#define KILN_CUBLAS_CHECK(expr)                                                                            \
  do {                                                                                                     \
    cublasStatus_t kiln_status_ = (expr);                                                                  \
    if (kiln_status_ != CUBLAS_STATUS_SUCCESS)                                                             \
      ::kiln::backend::cuda::throwCallError(#expr, "cuBLAS status " + std::to_string(int(kiln_status_)));  \
  } while (0)

#define KILN_NVRTC_CHECK(expr)                                                                             \
  do {                                                                                                     \
    nvrtcResult kiln_status_ = (expr);                                                                     \
    if (kiln_status_ != NVRTC_SUCCESS) ::kiln::backend::cuda::throwCallError(#expr, nvrtcGetErrorString(kiln_status_)); \
  } while (0)

/// Checks the last launch on the current thread (after every kernel launch).
#define KILN_CUDA_CHECK_LAUNCH(name)                                                                       \
  do {                                                                                                     \
    cudaError_t kiln_status_ = cudaGetLastError();                                                         \
    if (kiln_status_ != cudaSuccess) ::kiln::backend::cuda::throwCallError(name, cudaGetErrorString(kiln_status_)); \
  } while (0)
