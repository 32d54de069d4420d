// Saving an edited network as ONNX, only once it has passed validation.
#pragma once

#include <QString>

#include "kiln/network.h"

namespace kiln::ui {

/// Validates `network` and writes it to `path` as ONNX. Validation is Kiln's
/// shape inference on a copy, then a re-import of the exported bytes with
/// libonnx's checker (where the model is within its range). The file is
/// written to a temporary beside `path` and renamed over it, so a failure
/// leaves an existing file untouched. Blocks: call it on a worker thread.
/// Returns an empty string on success, else one line saying why not.
QString validateAndSave(const Network& network, const QString& path);

}  // namespace kiln::ui
