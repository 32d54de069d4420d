// The CPU backend's tactics, one factory per family file, and the checks
// they share. The backend (cpu_backend.cpp) owns one instance of each.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace kiln::backend::cpu {

/// The domain of Kiln's own fused operators (kiln:ConvAct, kiln:GemmAct).
inline constexpr const char* kKilnDomain = "kiln";

/// The shape of each input slot of a layer; null for an omitted input.
using InputShapes = std::vector<const std::vector<int64_t>*>;

/// Input shapes as a tactic's supports() sees them. Throws Error when
/// `info` has fewer shapes than the layer has inputs.
InputShapes shapesOf(const LayerInfo& info);
/// Input shapes of concrete inputs (null inputs are omitted ones).
InputShapes shapesOf(const std::vector<const HostTensor*>& inputs);

/// Empty when the layer runs at FP32 on f32 tensors (every present input of
/// `info`), else why not.
std::string float32Reason(const LayerInfo& info);
/// Throws Error (kUnsupportedType) unless every present input is f32 and
/// output 0 is an f32 tensor of `outShape`, which a tactic is about to write.
void requireFloat32(const Layer& layer, int64_t opset, const std::vector<const HostTensor*>& inputs,
                    const std::vector<HostTensor>& outputs, const std::vector<int64_t>& outShape);

/// `cpu.ref`: any op the operator registry knows, through its reference compute.
std::unique_ptr<Tactic> makeRefTactic();
/// `cpu.conv.direct`: Conv and kiln:ConvAct with the reference direct convolution.
std::unique_ptr<Tactic> makeConvDirectTactic();
/// `cpu.conv.im2col-gemm`: 2-D Conv and kiln:ConvAct as im2col plus the blocked GEMM.
std::unique_ptr<Tactic> makeConvIm2colGemmTactic();
/// `cpu.gemm.naive`: MatMul, Gemm and kiln:GemmAct with the reference GEMM.
std::unique_ptr<Tactic> makeGemmNaiveTactic();
/// `cpu.gemm.blocked`: MatMul, Gemm and kiln:GemmAct with the blocked float GEMM.
std::unique_ptr<Tactic> makeGemmBlockedTactic();

}  // namespace kiln::backend::cpu
