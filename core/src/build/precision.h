// Precision assignment: picks each layer's precision and rewrites the network
// so that float tensors have the type their consumers compute in, inserting
// Cast layers where precisions meet (reported as reformat layers).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/network.h"

namespace kiln::build {

/// The precision of every layer, by layer name, as chosen for `config`:
/// fp16/bf16 when allowed, per-layer requests honoured, layers with no float
/// data stay fp32. Warnings explain requests that were not honoured.
std::map<std::string, Precision> choosePrecisions(const Network& network, const BuilderConfig& config,
                                                  std::vector<std::string>* warnings);

/// Rewrites `network` so each layer reads its float data inputs in the
/// storage type of its precision (f16 for fp16, bf16 for bf16, f32 otherwise):
/// constants are converted, activations get Cast layers (named "reformat/…",
/// origin empty), graph inputs and outputs keep their types. Parameter inputs
/// whose type the op fixes (Resize scales, quantization scales) are left alone.
/// Re-infers shapes. Returns the number of Cast layers inserted.
int applyPrecisions(Network& network, const std::map<std::string, Precision>& precisions);

/// The storage type of float tensors at a precision.
DataType storageType(Precision p);

}  // namespace kiln::build
