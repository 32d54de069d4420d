// Pieces shared by the `kiln` commands.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln::cli {

/// Parses "NAME=1x3x224x224" into a name and sizes. Throws Error(kInvalidArgument).
std::pair<std::string, std::vector<int64_t>> parseShapeArg(const std::string& arg);
/// Parses "NAME=VALUE" into its two halves. Throws Error(kInvalidArgument).
std::pair<std::string, std::string> splitAssignment(const std::string& arg, const char* what);
/// Replaces every character outside [A-Za-z0-9._-] with '_'.
std::string sanitizeFileName(const std::string& name);
/// "1.5 MiB", "12 KiB", "640 B".
std::string formatBytes(int64_t bytes);
/// "4.1 GFLOP", "12.0 MFLOP".
std::string formatFlops(int64_t flops);
/// min, max, mean and std of a tensor's elements as one short line.
std::string tensorStats(const HostTensor& t);

}  // namespace kiln::cli
