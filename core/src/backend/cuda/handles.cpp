#include "backend/cuda/handles.h"

#include <memory>

#include "backend/cuda/cuda_check.h"

namespace kiln::backend::cuda {

HandleSet::HandleSet(cudaStream_t stream) {
  KILN_CUDNN_CHECK(cudnnCreate(&handles_.cudnn));
  KILN_CUDNN_CHECK(cudnnSetStream(handles_.cudnn, stream));
  try {
    KILN_CUBLAS_CHECK(cublasLtCreate(&handles_.cublasLt));
  } catch (...) {
    cudnnDestroy(handles_.cudnn);
    throw;
  }
}

HandleSet::~HandleSet() {
  if (handles_.cublasLt) cublasLtDestroy(handles_.cublasLt);
  if (handles_.cudnn) cudnnDestroy(handles_.cudnn);
}

const Handles& threadHandles() {
  thread_local std::unique_ptr<HandleSet> handles;
  if (!handles) handles = std::make_unique<HandleSet>(nullptr);
  return handles->get();
}

Stream::Stream() { KILN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }

Stream::~Stream() {
  if (stream_) cudaStreamDestroy(stream_);
}

}  // namespace kiln::backend::cuda
