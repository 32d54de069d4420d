// What the library tactics (cuDNN convolutions, cuBLASLt products, attention)
// share: reading their layers' inputs, and the epilogue kernel for what a
// library call cannot fuse.
#pragma once

#include <optional>
#include <vector>

#include "backend/cpu/conv_problem.h"
#include "backend/cpu/tactics.h"
#include "backend/cuda/cuda_tactic.h"
#include "cpu/activation.h"
#include "cuda/epilogue.cuh"

namespace kiln::backend::cuda {

/// True when the layer names input `i` and `inputs` holds it.
bool hasInput(const Layer& layer, const std::vector<DeviceTensor>& inputs, size_t i);

/// The shapes of the inputs the layer names (null for omitted ones), as the
/// CPU problem readers take them.
cpu::InputShapes inputShapes(const Layer& layer, const std::vector<DeviceTensor>& inputs);

/// The kernels' element type of a float tensor type (f32, f16, bf16).
std::optional<kernels::cuda::ElemType> floatElemType(DataType t);

/// Empty when every input the layer names and output 0 have one float type
/// (f32, f16 or bf16); otherwise why not.
std::string sameFloatTypeReason(const Layer& layer, const std::vector<DeviceTensor>& inputs,
                                const std::vector<DeviceTensor>& outputs);

/// The convolution that a Conv or kiln:ConvAct layer computes on these
/// tensors. Throws Error unless they share one float type and output 0 has
/// the convolution's shape.
cpu::ConvProblem readConvProblemOf(const Layer& layer, int64_t opset, const std::vector<DeviceTensor>& inputs,
                                   const std::vector<DeviceTensor>& outputs);

/// Enqueues y = act(y + addScale * addend + residual) and checks the launch.
/// `addend` (may be null) broadcasts onto `yShape` from `addShape`; `residual`
/// (may be null) has y's shape. Throws Error when the addend does not fit.
void enqueueEpilogue(DataType type, void* y, const std::vector<int64_t>& yShape, const void* addend,
                     const std::vector<int64_t>& addShape, float addScale, const void* residual,
                     const kernels::cpu::ActivationParams& act, cudaStream_t stream);

}  // namespace kiln::backend::cuda
