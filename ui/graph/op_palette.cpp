#include "op_palette.h"

#include <QHash>

namespace kiln::ui {

namespace {
QHash<QString, OpFamily> buildFamilies() {
  QHash<QString, OpFamily> f;
  auto put = [&](OpFamily family, std::initializer_list<const char*> ops) {
    for (const char* op : ops) f.insert(QString::fromLatin1(op), family);
  };
  put(OpFamily::kConvolution, {"Conv", "ConvTranspose", "DeformConv"});
  put(OpFamily::kMatMul, {"MatMul", "Gemm", "Einsum"});
  put(OpFamily::kNormalization, {"BatchNormalization", "LayerNormalization", "InstanceNormalization",
                                 "GroupNormalization", "LpNormalization", "LRN", "RMSNormalization",
                                 "MeanVarianceNormalization", "SkipLayerNormalization"});
  put(OpFamily::kActivation, {"Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Gelu", "Sigmoid",
                              "HardSigmoid", "HardSwish", "Swish", "Mish", "Tanh", "Softplus",
                              "Softsign", "Softmax", "LogSoftmax", "Hardmax", "Clip",
                              "ThresholdedRelu", "Shrink"});
  put(OpFamily::kPooling, {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
                           "GlobalLpPool", "MaxRoiPool", "RoiAlign", "MaxUnpool"});
  put(OpFamily::kElementwise, {"Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Abs", "Neg",
                               "Reciprocal", "Min", "Max", "Sum", "Mean", "Where", "Equal", "Less",
                               "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Not",
                               "Erf", "Floor", "Ceil", "Round", "Sign", "Mod", "Sin", "Cos", "Tan",
                               "IsNaN", "IsInf", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseNot"});
  put(OpFamily::kShape, {"Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Split",
                         "Slice", "Gather", "GatherElements", "GatherND", "Scatter", "ScatterND",
                         "ScatterElements", "Expand", "Tile", "Pad", "Shape", "Size", "Identity",
                         "Cast", "CastLike", "ConstantOfShape", "Constant", "Range", "Resize",
                         "Upsample", "DepthToSpace", "SpaceToDepth", "Trilu", "OneHot", "NonZero",
                         "CumSum", "Compress", "ReverseSequence", "EyeLike"});
  put(OpFamily::kReduction, {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
                             "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
                             "ReduceSumSquare", "ArgMax", "ArgMin", "TopK"});
  put(OpFamily::kFused, {"Attention", "MultiHeadAttention", "GroupQueryAttention"});
  put(OpFamily::kQuantization, {"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
                                "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger"});
  return f;
}
}  // namespace

OpFamily opFamily(const QString& op, const QString& domain) {
  if (domain == QLatin1String("kiln")) return OpFamily::kFused;
  static const QHash<QString, OpFamily> families = buildFamilies();
  return families.value(op, OpFamily::kOther);
}

QColor familyColor(OpFamily family) {
  switch (family) {
    case OpFamily::kConvolution: return QColor(0x3b, 0x6f, 0xb6);
    case OpFamily::kMatMul: return QColor(0x1f, 0x86, 0x8a);
    case OpFamily::kNormalization: return QColor(0x4f, 0x8a, 0x3c);
    case OpFamily::kActivation: return QColor(0xcc, 0x6a, 0x24);
    case OpFamily::kPooling: return QColor(0x7b, 0x57, 0xa8);
    case OpFamily::kElementwise: return QColor(0x5f, 0x71, 0x85);
    case OpFamily::kShape: return QColor(0x93, 0x7d, 0x3e);
    case OpFamily::kReduction: return QColor(0xb0, 0x48, 0x7a);
    case OpFamily::kFused: return QColor(0xb8, 0x33, 0x33);
    case OpFamily::kQuantization: return QColor(0x2a, 0x7f, 0x62);
    case OpFamily::kOther: break;
  }
  return QColor(0x78, 0x78, 0x78);
}

QString familyName(OpFamily family) {
  switch (family) {
    case OpFamily::kConvolution: return QStringLiteral("Convolution");
    case OpFamily::kMatMul: return QStringLiteral("MatMul / Gemm");
    case OpFamily::kNormalization: return QStringLiteral("Normalization");
    case OpFamily::kActivation: return QStringLiteral("Activation");
    case OpFamily::kPooling: return QStringLiteral("Pooling");
    case OpFamily::kElementwise: return QStringLiteral("Elementwise");
    case OpFamily::kShape: return QStringLiteral("Shape / data movement");
    case OpFamily::kReduction: return QStringLiteral("Reduction");
    case OpFamily::kFused: return QStringLiteral("Attention / fused");
    case OpFamily::kQuantization: return QStringLiteral("Quantization");
    case OpFamily::kOther: break;
  }
  return QStringLiteral("Other");
}

}  // namespace kiln::ui
