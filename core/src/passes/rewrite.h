// Helpers shared by the passes: who produces and reads each tensor, matching
// constants and attributes, and replacing a group of layers by one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kiln/network.h"
#include "kiln/report.h"

namespace kiln::passes {

/// Producers and consumers of every tensor of a network at one moment. Any
/// rewrite invalidates it; build a new one afterwards.
class GraphView {
 public:
  /// Indexes `network`, which must outlive the view.
  explicit GraphView(const Network& network);

  const Network& network() const noexcept { return net_; }
  /// Index of the layer producing `tensor`, or -1 (graph input, constant, unknown).
  int producer(const std::string& tensor) const;
  /// The producing layer when its op is `op` ("kiln:Softmax" for a kiln op), or null.
  const Layer* producerOp(const std::string& tensor, std::string_view op) const;
  /// Indices of the layers reading `tensor`; a layer reading it twice appears twice.
  const std::vector<size_t>& consumers(const std::string& tensor) const;
  /// True when `tensor` is a graph output.
  bool isOutput(const std::string& tensor) const { return outputs_.count(tensor) > 0; }
  /// The one layer reading `tensor` (once), when it is not a graph output; else -1.
  int soleConsumer(const std::string& tensor) const;
  /// True when every read of `tensor` is by a layer in `group` and it is not a graph output.
  bool onlyReadBy(const std::string& tensor, const std::unordered_set<size_t>& group) const;

 private:
  const Network& net_;
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, std::vector<size_t>> consumers_;
  std::unordered_set<std::string> outputs_;
};

/// True when layer's op (with its domain, "kiln:Gelu" for kiln ops) is `op`.
bool isOp(const Layer& layer, std::string_view op);
/// "Conv", or "kiln:ConvAct" for a layer of another domain.
std::string opName(const Layer& layer);

/// The data of a constant tensor, or null.
const HostTensor* constantOf(const Network& network, const std::string& tensor);
/// True when a and b agree to `rel` relative tolerance.
bool nearly(double a, double b, double rel = 1e-4);
/// True when `tensor` is a constant whose every element is nearly `value`.
bool isConstantValue(const Network& network, const std::string& tensor, double value, double rel = 1e-4);
/// The value of a constant holding one element, or nullopt.
std::optional<double> scalarOf(const Network& network, const std::string& tensor);

/// For a binary layer with `known` as one operand: the other operand, or
/// nullopt when `known` is not an operand. `knownOnLeft` tells which side it was.
std::optional<std::string> otherOperand(const Layer& layer, const std::string& known, bool* knownOnLeft = nullptr);

int64_t attrInt(const Layer& layer, const std::string& name, int64_t fallback);
float attrFloat(const Layer& layer, const std::string& name, float fallback);
std::string attrString(const Layer& layer, const std::string& name, const std::string& fallback);
/// The ints attribute, or nullopt when absent.
std::optional<std::vector<int64_t>> attrInts(const Layer& layer, const std::string& name);

/// The axes a Reduce* layer reduces, normalized and sorted (all axes when none
/// are given); nullopt when they or the input rank are not known statically.
std::optional<std::vector<int64_t>> reduceAxes(const Network& network, const Layer& layer);
/// The Transpose perm of a layer whose input rank is known; nullopt otherwise.
std::optional<std::vector<int64_t>> transposePerm(const Network& network, const Layer& layer);

/// The origins of `layers` (indices into network.layers()), in layer order, without repeats.
std::vector<std::string> unionOrigins(const Network& network, std::vector<size_t> layers);
/// "Sub 'a' + Div 'b'": the layers' ops and names, in layer order.
std::string describeLayers(const Network& network, std::vector<size_t> layers);
/// A tensor name not yet used in `network`, starting from `base`.
std::string freshTensorName(const Network& network, const std::string& base);

/// Replaces the layers at `group` by `layer`, which takes the place of the
/// last of them (so it still follows its producers and precedes its consumers).
/// Returns a change saying `verb` ("fused", "recognised") what into what;
/// its `removed` lists the names that no longer exist.
PassChange replaceLayers(Network& network, std::vector<size_t> group, Layer layer, const std::string& verb);

/// A new layer of the kiln domain standing for `group`: named after the
/// first of them, with their origins; sets the network's kiln opset.
Layer kilnLayer(Network& network, const std::vector<size_t>& group, const std::string& op,
                std::vector<std::string> inputs, const std::string& output, Attributes attrs = {});

/// Removes layer `index`, whose output `out` equals its input `in`, so that
/// readers of `out` read `in`. When `out` is a graph output, the producer of
/// `in` writes `out` instead; returns false (and changes nothing) when that is
/// not possible (in is a graph input, a constant or a graph output too).
bool bypassLayer(Network& network, const GraphView& view, size_t index, const std::string& in, const std::string& out);

/// True when every tensor that the layers of `group` write, except `result`,
/// is read only inside the group and is not a graph output.
bool isClosedGroup(const GraphView& view, const std::unordered_set<size_t>& group, const std::string& result);

/// True when the known dims of tensors a and b are equal (rank known).
bool sameDims(const Network& network, const std::string& a, const std::string& b);

/// Runs `tryAt` on each layer index in order with a fresh view; whenever it
/// returns a change, the network was rewritten and the scan starts over.
/// Returns the changes in the order they were made.
std::vector<PassChange> rewriteUntilStable(
    Network& network, const std::function<std::optional<PassChange>(Network&, const GraphView&, size_t)>& tryAt);

}  // namespace kiln::passes
