#include "backend/cuda/fused_epilogue.h"

#include "backend/cuda/broadcast_indexer.h"
#include "backend/cuda/cuda_check.h"

namespace kiln::backend::cuda {

bool hasInput(const Layer& layer, const std::vector<DeviceTensor>& inputs, size_t i) {
  return i < layer.inputs.size() && !layer.inputs[i].empty() && i < inputs.size();
}

cpu::InputShapes inputShapes(const Layer& layer, const std::vector<DeviceTensor>& inputs) {
  cpu::InputShapes shapes(std::min(layer.inputs.size(), inputs.size()), nullptr);
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (hasInput(layer, inputs, i)) shapes[i] = &inputs[i].shape;
  }
  while (!shapes.empty() && !shapes.back()) shapes.pop_back();
  return shapes;
}

std::optional<kernels::cuda::ElemType> floatElemType(DataType t) {
  switch (t) {
    case DataType::kFloat32: return kernels::cuda::ElemType::kF32;
    case DataType::kFloat16: return kernels::cuda::ElemType::kF16;
    case DataType::kBFloat16: return kernels::cuda::ElemType::kBF16;
    default: return std::nullopt;
  }
}

std::string sameFloatTypeReason(const Layer& layer, const std::vector<DeviceTensor>& inputs,
                                const std::vector<DeviceTensor>& outputs) {
  if (inputs.empty() || outputs.empty()) return "expects inputs and an output";
  const DataType t = outputs[0].type;
  if (!floatElemType(t)) return std::string("runs f32, f16 and bf16 tensors, not ") + toString(t);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (hasInput(layer, inputs, i) && inputs[i].type != t) {
      return "input " + std::to_string(i) + " is " + toString(inputs[i].type) + ", the output " + toString(t);
    }
  }
  return {};
}

cpu::ConvProblem readConvProblemOf(const Layer& layer, int64_t opset, const std::vector<DeviceTensor>& inputs,
                                   const std::vector<DeviceTensor>& outputs) {
  const ErrorLocation where{{}, layer.name, opKey(layer), opset};
  if (std::string r = sameFloatTypeReason(layer, inputs, outputs); !r.empty()) {
    throw Error(ErrorCode::kUnsupportedType, r, where);
  }
  cpu::ConvProblem prob = cpu::readConvProblem(layer, opset, inputShapes(layer, inputs));
  if (outputs[0].shape != prob.outShape) {
    throw Error(ErrorCode::kShapeMismatch, "the output is " + shapeString(outputs[0].shape) + ", the convolution " +
                                               shapeString(prob.outShape), where);
  }
  return prob;
}

void enqueueEpilogue(DataType type, void* y, const std::vector<int64_t>& yShape, const void* addend,
                     const std::vector<int64_t>& addShape, float addScale, const void* residual,
                     const kernels::cpu::ActivationParams& act, cudaStream_t stream) {
  kernels::cuda::EpilogueParams p;
  const auto elem = floatElemType(type);
  if (!elem) throw Error(ErrorCode::kUnsupportedType, std::string("the epilogue cannot run ") + toString(type));
  p.type = *elem;
  p.y = y;
  p.count = 1;
  for (int64_t d : yShape) p.count *= d;
  if (addend) {
    const auto ix = broadcastIndexer(yShape, addShape);
    if (!ix) {
      throw Error(ErrorCode::kShapeMismatch, "the epilogue cannot broadcast " + shapeString(addShape) + " onto " +
                                                 shapeString(yShape));
    }
    p.addend = addend;
    p.addIndex = *ix;
    p.addScale = addScale;
  }
  p.residual = residual;
  p.activation = act;
  KILN_CUDA_CHECK(kernels::cuda::launchEpilogue(p, stream));
}

}  // namespace kiln::backend::cuda
