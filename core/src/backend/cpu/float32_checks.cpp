// The input and precision checks every CPU tactic shares.
#include "backend/cpu/tactics.h"
#include "kiln/errors.h"
#include "ops/op.h"

namespace kiln::backend::cpu {

InputShapes shapesOf(const LayerInfo& info) {
  const Layer& layer = *info.layer;
  if (info.inputShapes.size() < layer.inputs.size()) {
    ops::NodeContext(layer, info.opset)
        .fail("has " + std::to_string(layer.inputs.size()) + " inputs but " +
                  std::to_string(info.inputShapes.size()) + " input shapes",
              ErrorCode::kInternal);
  }
  InputShapes shapes;
  for (size_t i = 0; i < layer.inputs.size(); ++i) {
    shapes.push_back(layer.inputs[i].empty() ? nullptr : &info.inputShapes[i]);
  }
  return shapes;
}

InputShapes shapesOf(const std::vector<const HostTensor*>& inputs) {
  InputShapes shapes;
  for (const HostTensor* t : inputs) shapes.push_back(t ? &t->shape() : nullptr);
  return shapes;
}

std::string float32Reason(const LayerInfo& info) {
  if (info.precision != Precision::kFP32) {
    return "cpu runs fp32 only";
  }
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    const Tensor* t = info.inputs[i];
    if (t && t->type != DataType::kFloat32) {
      return "input " + std::to_string(i) + " is " + toString(t->type) + "; this tactic takes f32 only";
    }
  }
  return {};
}

void requireFloat32(const Layer& layer, int64_t opset, const std::vector<const HostTensor*>& inputs,
                    const std::vector<HostTensor>& outputs, const std::vector<int64_t>& outShape) {
  const ops::NodeContext ctx(layer, opset);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] && inputs[i]->type() != DataType::kFloat32) {
      ctx.fail("input " + std::to_string(i) + " is " + toString(inputs[i]->type()) + "; the tactic takes f32 only",
               ErrorCode::kUnsupportedType);
    }
  }
  if (outputs.size() != 1) {
    ctx.fail("got " + std::to_string(outputs.size()) + " output tensors; expected one", ErrorCode::kShapeMismatch);
  }
  if (outputs[0].type() != DataType::kFloat32 || outputs[0].shape() != outShape) {
    ctx.fail(std::string("the output is ") + toString(outputs[0].type()) + " " + shapeString(outputs[0].shape()) +
                 "; expected f32 " + shapeString(outShape),
             ErrorCode::kShapeMismatch);
  }
}

}  // namespace kiln::backend::cpu
