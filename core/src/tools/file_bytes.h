// Whole-file reads with the project's errors.
#pragma once

#include <string>

namespace kiln::tools {

/// The bytes of a regular file. Throws Error(kFileNotFound) naming `path`
/// when it is missing, a directory or unreadable.
std::string readFileBytes(const std::string& path);

}  // namespace kiln::tools
