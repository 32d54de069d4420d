// Runs one layer on concrete inputs with the reference kernels: infer the
// output shapes from the actual inputs, allocate, compute.
#pragma once

#include <vector>

#include "ops/op.h"

namespace kiln::ops {

/// Evaluates `layer` (whose schema is `schema`) on `inputs` (null for omitted
/// optional inputs). Returns one tensor per output slot of the layer. Any
/// failure becomes an Error naming the layer.
std::vector<HostTensor> evaluateLayer(const OpSchema& schema, const Layer& layer, int64_t opset,
                                      const std::vector<const HostTensor*>& inputs);

/// Infers the output shapes of `layer` from concrete `inputs` and returns
/// zero-filled outputs of those types and shapes (empty tensors for unnamed
/// optional outputs). Failures name the layer.
std::vector<HostTensor> allocateOutputs(const OpSchema& schema, const Layer& layer, int64_t opset,
                                        const std::vector<const HostTensor*>& inputs);

/// Checks the layer's input and output counts and its opset against its schema.
void checkArity(const OpSchema& schema, const Layer& layer, int64_t opset);

}  // namespace kiln::ops
