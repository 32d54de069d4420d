// Loading what a command is given: a plan, or an ONNX model built on the fly.
#pragma once

#include <memory>
#include <string>

#include "kiln/builder.h"
#include "kiln/runtime.h"

namespace kiln::cli {

/// True when the file is named *.plan or starts with a plan's magic.
bool isPlanFile(const std::string& path);

/// Loads a plan, or builds `path` (an ONNX model) for the cpu target with
/// default settings and loads the result.
std::shared_ptr<const Engine> loadOrBuildEngine(const std::string& path, const BuilderConfig& config = {});

/// Parses "1G", "512M", "64K" or a byte count. Throws Error(kInvalidArgument).
int64_t parseBytes(const std::string& text);

}  // namespace kiln::cli
