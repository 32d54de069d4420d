// ONNX import into a Network and export of a Network to ONNX.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/network.h"

namespace kiln {

/// Options of importOnnx().
struct OnnxImportOptions {
  /// Run libonnx's checker too when the model is within its range (IR ≤ 8,
  /// opset ≤ 17). It never rejects a newer model.
  bool runLibraryChecker = true;
  /// Fail when the model holds ops Kiln cannot run (all are listed at once).
  /// When false, such layers are kept and their outputs left unknown.
  bool rejectUnsupported = true;
  /// Infer shapes after import.
  bool inferShapes = true;
};

/// Facts about the imported file that the Network does not hold.
struct OnnxModelInfo {
  int64_t irVersion = 0;             ///< the model's IR version
  std::string producer;              ///< producer name and version
  std::vector<std::string> warnings; ///< things worth a look that did not stop the import
  bool libraryChecked = false;       ///< whether libonnx's checker ran and accepted it
};

/// Loads an ONNX model file, including weights kept in external data files
/// beside it. Throws Error naming the file (and node, op, opset where they
/// apply) for a missing, empty, truncated or non-ONNX file, a checker failure,
/// unsupported ops (all of them in one message) or unsupported data types.
Network importOnnx(const std::string& path, const OnnxImportOptions& options = {},
                   OnnxModelInfo* info = nullptr);

/// Parses an ONNX model held in memory; `baseDir` locates external data and
/// `displayName` names it in errors.
Network importOnnxBytes(const std::string& bytes, const std::string& baseDir,
                        const std::string& displayName, const OnnxImportOptions& options = {},
                        OnnxModelInfo* info = nullptr);

/// Serializes a Network as an ONNX model (IR 8 when every opset fits libonnx's
/// range, else IR 10). Throws Error on an unrepresentable network.
std::string exportOnnxBytes(const Network& network);

/// Writes exportOnnxBytes() to `path`, replacing it only once the whole model
/// has been written. Throws Error on failure; an existing file is then untouched.
void exportOnnx(const Network& network, const std::string& path);

}  // namespace kiln
