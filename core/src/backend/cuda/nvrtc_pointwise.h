// Generated kernels for kiln:Pointwise (the `steps` grammar of ops/fused.h):
// CUDA C++ source for a chain of elementwise steps, its compilation to a
// CUBIN with NVRTC, and the argument block the generated kernel takes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cuda/elementwise.cuh"
#include "kiln/types.h"

namespace kiln::backend::cuda {

/// The name of the generated kernel (extern "C").
inline constexpr const char* kPointwiseKernelName = "kiln_pointwise";
/// The most external inputs a generated kernel takes (its argument block
/// stays within the 4 KiB kernel parameter limit).
inline constexpr size_t kPointwiseMaxInputs = 24;

/// What the source depends on: the layer's attributes and its tensor types.
struct PointwiseSpec {
  std::vector<std::string> steps;  ///< the `steps` attribute
  std::vector<float> alphas;       ///< `step_alpha`: empty or one per step
  std::vector<float> betas;        ///< `step_beta`: empty or one per step
  std::vector<DataType> inputs;    ///< the type of each external input (f32, f16 or bf16)
  DataType output = DataType::kFloat32;  ///< f32, f16 or bf16
};

/// CUDA C++ source of a kernel named kPointwiseKernelName that computes the
/// chain in float, one thread per output element (grid-stride), loading each
/// input that a step uses once through its own broadcast index. The source
/// includes no header. Throws Error(kInvalidModel) on an invalid step and
/// Error(kUnsupportedType) on a type other than f32, f16 or bf16.
std::string pointwiseSource(const PointwiseSpec& spec);

/// Compiles `source` with NVRTC for sm_<major><minor> and returns the CUBIN.
/// Throws Error naming the NVRTC call, with the compile log, on failure.
std::string compilePointwise(const std::string& source, int major, int minor);

/// The generated kernel's single argument, as 64-bit words: n, y, the input
/// pointers, then per input its rank (-1 when contiguous), 8 dims and 8 strides.
std::vector<int64_t> pointwiseArgs(int64_t n, void* y, const std::vector<kernels::cuda::Operand>& inputs);

}  // namespace kiln::backend::cuda
