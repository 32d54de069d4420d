// cuDNN and cuBLASLt handles bound to one stream, owned by one object.
#pragma once

#include "backend/cuda/cuda_tactic.h"

namespace kiln::backend::cuda {

/// Creates the library handles on construction and destroys them after.
class HandleSet {
 public:
  /// Handles bound to `stream`. Throws Error when a library fails to start.
  explicit HandleSet(cudaStream_t stream);
  ~HandleSet();
  HandleSet(const HandleSet&) = delete;
  HandleSet& operator=(const HandleSet&) = delete;

  const Handles& get() const noexcept { return handles_; }

 private:
  Handles handles_;
};

/// Handles of the calling thread, created on its first call and destroyed
/// when the thread ends. Library handles are costly to create and must not be
/// used by two threads at once: one set per thread gives both. Callers bind
/// them to their stream (cudnnSetStream) before use.
const Handles& threadHandles();

/// A CUDA stream owned by one object.
class Stream {
 public:
  Stream();
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const noexcept { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

}  // namespace kiln::backend::cuda
