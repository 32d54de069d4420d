// Small networks built with the definition API, shared by the test suites.
#pragma once

#include <QString>
#include <string>
#include <utility>
#include <vector>

#include "kiln/network.h"

namespace kiln::test {

/// y = Relu(x + b) on a 1x4 float input "x" with a constant b.
Network addReluNetwork();

/// An IR 10 / opset 20 network (Gelu, LayerNormalization, ReduceMean with
/// axes as an input) with a symbolic batch dimension "batch".
Network opset20Network();

/// One model holding the patterns the fusion passes look for, in a chain:
/// Conv + BatchNormalization + Relu on a 1x3x8x8 input "image", a Reshape to
/// 1x4x64 tokens, a decomposed LayerNorm (ReduceMean, Sub, Pow, ReduceMean,
/// Add, Sqrt, Div, Mul, Add), a decomposed GELU (erf form), a decomposed
/// HardSwish (x * clip(x + 3, 0, 6) / 6) and an attention block (Transpose,
/// MatMul Q.K^T, Div by sqrt d, Add mask, Softmax, MatMul V) into output "y".
/// Its 28 layers have origins named after their role ("ln_sub", "att_qk").
Network fusionShowcaseNetwork();

/// What the default pipeline makes of fusionShowcaseNetwork(): each layer's
/// op ("kiln:ConvAct", ...) and origin, in order.
std::vector<std::pair<std::string, std::vector<std::string>>> fusionShowcaseFusedLayers();

/// A fresh, empty temporary directory path (removed at process exit by the OS tmp cleaner).
QString tempDir();

/// Writes bytes to a file; returns its path.
std::string writeFile(const QString& dir, const QString& name, const std::string& bytes);

}  // namespace kiln::test
