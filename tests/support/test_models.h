// Small networks built with the definition API, shared by the test suites.
#pragma once

#include <QString>
#include <string>

#include "kiln/network.h"

namespace kiln::test {

/// y = Relu(x + b) on a 1x4 float input "x" with a constant b.
Network addReluNetwork();

/// An IR 10 / opset 20 network (Gelu, LayerNormalization, ReduceMean with
/// axes as an input) with a symbolic batch dimension "batch".
Network opset20Network();

/// A fresh, empty temporary directory path (removed at process exit by the OS tmp cleaner).
QString tempDir();

/// Writes bytes to a file; returns its path.
std::string writeFile(const QString& dir, const QString& name, const std::string& bytes);

}  // namespace kiln::test
