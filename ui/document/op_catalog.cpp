#include "document/op_catalog.h"

namespace kiln::ui {

std::vector<PaletteOp> paletteOps() {
  const Attribute pool2 = Attribute::ofInts({2, 2});
  const std::vector<PaletteOp> candidates = {
      {"Activation", "Relu", {}},
      {"Activation", "LeakyRelu", {{"alpha", Attribute::ofFloat(0.01f)}}},
      {"Activation", "Sigmoid", {}},
      {"Activation", "Tanh", {}},
      {"Activation", "Elu", {{"alpha", Attribute::ofFloat(1.f)}}},
      {"Activation", "Selu", {}},
      {"Activation", "HardSigmoid", {}},
      {"Activation", "HardSwish", {}},
      {"Activation", "Softplus", {}},
      {"Normalization", "Softmax", {{"axis", Attribute::ofInt(-1)}}},
      {"Normalization", "LogSoftmax", {{"axis", Attribute::ofInt(-1)}}},
      {"Pooling", "MaxPool", {{"kernel_shape", pool2}, {"strides", pool2}}},
      {"Pooling", "AveragePool", {{"kernel_shape", pool2}, {"strides", pool2}}},
      {"Pooling", "GlobalAveragePool", {}},
      {"Pooling", "GlobalMaxPool", {}},
      {"Math", "Abs", {}},
      {"Math", "Neg", {}},
      {"Math", "Exp", {}},
      {"Math", "Log", {}},
      {"Math", "Sqrt", {}},
      {"Math", "Reciprocal", {}},
      {"Math", "Erf", {}},
      {"Math", "Floor", {}},
      {"Math", "Ceil", {}},
      {"Reduction", "ReduceMean", {{"keepdims", Attribute::ofInt(1)}}},
      {"Reduction", "ReduceMax", {{"keepdims", Attribute::ofInt(1)}}},
      {"Shape", "Flatten", {{"axis", Attribute::ofInt(1)}}},
      {"Shape", "Transpose", {}},
      {"Shape", "Identity", {}},
      {"Shape", "Shape", {}},
  };
  std::vector<PaletteOp> ops;
  for (const auto& c : candidates) {
    if (isSupportedOp(c.op.toStdString())) ops.push_back(c);
  }
  return ops;
}

}  // namespace kiln::ui
