#include "backend/cuda/device.h"

#include <cublasLt.h>
#include <cudnn.h>

#include "backend/cuda/cuda_check.h"
#include "kiln/errors.h"

namespace kiln::backend::cuda {

bool deviceAvailable() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

PlanTarget cudaTarget() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    throw Error(ErrorCode::kInvalidArgument, std::string("no CUDA device: ") +
                                                 (status != cudaSuccess ? cudaGetErrorString(status) : "none found"));
  }
  cudaDeviceProp prop{};
  KILN_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  PlanTarget t;
  t.target = Target::kCuda;
  t.device = prop.name;
  t.computeMajor = prop.major;
  t.computeMinor = prop.minor;
  int runtime = 0;
  KILN_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  t.libraries["cuda"] = std::to_string(runtime / 1000) + "." + std::to_string((runtime % 1000) / 10);
  const size_t cudnn = cudnnGetVersion();
  t.libraries["cudnn"] = std::to_string(cudnn / 10000) + "." + std::to_string((cudnn % 10000) / 100) + "." +
                         std::to_string(cudnn % 100);
  t.libraries["cublasLt"] = std::to_string(cublasLtGetVersion());
  t.libraries["kiln"] = KILN_VERSION;
  return t;
}

std::string versionLine() {
  const size_t cudnn = cudnnGetVersion();
  std::string line = "CUDA " + std::to_string(CUDART_VERSION / 1000) + "." + std::to_string((CUDART_VERSION % 1000) / 10) +
                     ", cuDNN " + std::to_string(cudnn / 10000) + "." + std::to_string((cudnn % 10000) / 100) + "." +
                     std::to_string(cudnn % 100) + ", cuBLASLt " + std::to_string(cublasLtGetVersion());
  if (deviceAvailable()) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) {
      line += "; device " + std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ")";
    }
  } else {
    line += "; no CUDA device on this machine";
  }
  return line;
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes > 0) KILN_CUDA_CHECK(cudaMalloc(&ptr_, bytes));
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (ptr_) cudaFree(ptr_);
    ptr_ = o.ptr_;
    bytes_ = o.bytes_;
    o.ptr_ = nullptr;
    o.bytes_ = 0;
  }
  return *this;
}

}  // namespace kiln::backend::cuda
