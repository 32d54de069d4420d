// The one colour palette of the graph view: op families and their colours.
#pragma once

#include <QColor>
#include <QString>
#include <cstdint>

namespace kiln::ui {

/// The families an operator is coloured by.
enum class OpFamily : int32_t {
  kConvolution = 0,    ///< Conv, ConvTranspose
  kMatMul = 1,         ///< MatMul, Gemm, Einsum
  kNormalization = 2,  ///< BatchNormalization, LayerNormalization, ...
  kActivation = 3,     ///< Relu, Gelu, Sigmoid, Softmax, ...
  kPooling = 4,        ///< MaxPool, AveragePool, Global*Pool
  kElementwise = 5,    ///< Add, Mul, Sqrt, Where, ...
  kShape = 6,          ///< Reshape, Transpose, Concat, Gather, Cast, ...
  kReduction = 7,      ///< Reduce*, ArgMax, ArgMin, TopK
  kFused = 8,          ///< attention and every op of Kiln's own domain
  kQuantization = 9,   ///< QuantizeLinear, DequantizeLinear, QLinear*, *Integer
  kOther = 10,         ///< everything else
};

/// The family of an operator of `domain` ("" for the default ONNX domain).
OpFamily opFamily(const QString& op, const QString& domain = {});
/// The fill colour of a family's nodes.
QColor familyColor(OpFamily family);
/// A readable name of a family ("Convolution", ...), for legends and tooltips.
QString familyName(OpFamily family);

}  // namespace kiln::ui
