// Small edits of a kiln::Network for the studio's document. Each function
// changes one thing; the ones that can be asked for something impossible
// throw kiln::Error (kInvalidArgument) and leave the network untouched.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "kiln/network.h"

namespace kiln::ui {

/// Index of the layer named `name` in network.layers(), or -1.
int findLayer(const Network& network, const std::string& name);

/// Index of the layer that produces `tensor`, or -1 (graph inputs, constants).
int producerOf(const Network& network, const std::string& tensor);

/// One place a tensor is read: a layer and its input slot.
struct TensorUse {
  std::string layer;  ///< the consuming layer's name
  size_t slot = 0;    ///< which of its inputs
  bool operator==(const TensorUse&) const = default;
};

/// Every input slot that reads `tensor`, in layer order.
std::vector<TensorUse> consumersOf(const Network& network, const std::string& tensor);

/// True when `name` is a graph output.
bool isGraphOutput(const Network& network, const std::string& name);

/// `base` if no layer or tensor has that name, else the first free `base_N`.
std::string uniqueName(const Network& network, const std::string& base);

/// Rebuilds the network with `outputs` as its graph outputs and without the
/// tensors in `drop`: Network itself can neither unmark an output nor forget
/// a tensor. Layers, inputs and the other tensors stay as they are.
void rebuildNetwork(Network& network, const std::vector<std::string>& outputs,
                    const std::set<std::string>& drop = {});

/// Renames a layer. Throws when `from` is missing or `to` is empty or taken.
void renameLayer(Network& network, const std::string& from, const std::string& to);

/// Renames a tensor that a layer produces, in its producer, its consumers and
/// the graph outputs. Throws for graph inputs, constants, missing tensors and
/// names already taken.
void renameProducedTensor(Network& network, const std::string& from, const std::string& to);

/// Points input `slot` of `layer` at `tensor` ("" leaves it dangling/omitted).
void setLayerInput(Network& network, const std::string& layer, size_t slot, const std::string& tensor);

/// Resets the dims of every tensor that a supported layer produces, so that
/// inferShapes() starts afresh and no stale shape survives an edit. Outputs of
/// ops Kiln cannot run keep what the file declared: nothing would replace it.
void forgetInferredShapes(Network& network);

}  // namespace kiln::ui
