// Reading and writing NumPy .npy files (format 1.0–3.0, little-endian, C order).
#pragma once

#include <string>

#include "kiln/types.h"

namespace kiln {

/// Reads a .npy file. Throws Error (kFileNotFound, kInvalidArgument for a
/// malformed file or kUnsupportedType for a dtype Kiln lacks) naming the file.
HostTensor readNpy(const std::string& path);

/// Writes `t` as a .npy file (bf16 and fp8 are written as float32, which NumPy
/// lacks natively). Throws Error(kIoError) on failure.
void writeNpy(const HostTensor& t, const std::string& path);

/// Parses .npy bytes; `name` is used in error messages.
HostTensor parseNpy(const std::string& bytes, const std::string& name);

}  // namespace kiln
