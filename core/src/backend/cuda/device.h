// The GPU this process runs on, and small device-memory helpers.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "kiln/plan.h"

namespace kiln::backend::cuda {

/// True when a CUDA device can be used (a driver and at least one GPU).
bool deviceAvailable();

/// The target of device 0: name, compute capability, and the CUDA runtime,
/// cuDNN and cuBLASLt versions. Throws Error(kInvalidArgument) naming why
/// there is none.
PlanTarget cudaTarget();

/// "CUDA 13.0, cuDNN 9.19.0, cuBLASLt 130000" for --version, or why none.
std::string versionLine();

/// Device memory owned by one object; frees on destruction.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Allocates `bytes` (0 allocates nothing). Throws Error on failure.
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr; o.bytes_ = 0; }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const noexcept { return ptr_; }
  size_t bytes() const noexcept { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace kiln::backend::cuda
