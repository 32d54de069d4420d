// Kiln's intermediate representation: a DAG of Layers joined by named Tensors.
// The same Network serves import, passes, building, reporting and the studio.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "kiln/types.h"

namespace kiln {

/// An operator attribute, as ONNX knows them. Exactly one field, chosen by
/// `kind`, carries the value.
struct Attribute {
  /// Which field holds the value.
  enum class Kind : int32_t {
    kInt = 0,      ///< `i`
    kFloat = 1,    ///< `f`
    kString = 2,   ///< `s`
    kInts = 3,     ///< `ints`
    kFloats = 4,   ///< `floats`
    kStrings = 5,  ///< `strings`
    kTensor = 6,   ///< `t`
  };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0.f;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::shared_ptr<const HostTensor> t;

  static Attribute ofInt(int64_t v);
  static Attribute ofFloat(float v);
  static Attribute ofString(std::string v);
  static Attribute ofInts(std::vector<int64_t> v);
  static Attribute ofFloats(std::vector<float> v);
  static Attribute ofStrings(std::vector<std::string> v);
  static Attribute ofTensor(HostTensor v);
};

/// Attributes of a layer by name, in a stable order.
using Attributes = std::map<std::string, Attribute>;

/// A named value flowing between layers: a network input, a layer output, or a
/// constant (weights, initializers) that holds its data.
struct Tensor {
  std::string name;                         ///< unique within the network
  DataType type = DataType::kFloat32;       ///< element type
  Dims dims = Dims::unknownRank();          ///< static shape; may be symbolic or unknown
  std::shared_ptr<const HostTensor> data;   ///< the value of a constant; null otherwise
  bool isConstant() const noexcept { return data != nullptr; }
};

/// One operation. Inputs and outputs name tensors of the network; an empty
/// input name stands for an omitted optional input.
struct Layer {
  std::string name;                 ///< unique within the network
  std::string op;                   ///< operator type ("Conv", "Gelu", ...)
  std::string domain;               ///< operator domain; empty for the default ONNX domain
  Attributes attrs;                 ///< operator attributes
  std::vector<std::string> inputs;  ///< input tensor names ("" = omitted)
  std::vector<std::string> outputs; ///< output tensor names
  std::vector<std::string> origin;  ///< the ONNX node names this layer stands for
};

/// A network: tensors, layers in topological order, and the graph's inputs and
/// outputs. Build one with the definition API below or with importOnnx().
class Network {
 public:
  Network();

  /// A name for the model (the ONNX graph name, or the caller's choice).
  std::string name;
  /// Opset versions by domain ("" is the default ONNX domain).
  std::map<std::string, int64_t> opsets;

  // ---- definition API ----------------------------------------------------
  /// Declares a graph input. Throws Error if the name is taken.
  Tensor& addInput(const std::string& name, DataType type, Dims dims);
  /// Declares a constant holding `value`. Throws Error if the name is taken.
  Tensor& addConstant(const std::string& name, HostTensor value);
  /// Appends a layer computing `outputs` from `inputs`; output tensors are
  /// created (type and shape filled later by inferShapes()). A layer with an
  /// empty name gets a unique one; origin defaults to its own name.
  Layer& addLayer(const std::string& op, std::vector<std::string> inputs,
                  std::vector<std::string> outputs, Attributes attrs = {},
                  const std::string& name = {});
  /// Appends a layer with one output named after the layer; returns that output's name.
  std::string add(const std::string& op, std::vector<std::string> inputs, Attributes attrs = {},
                  const std::string& name = {});
  /// Marks an existing tensor as a graph output.
  void markOutput(const std::string& name);

  // ---- queries -----------------------------------------------------------
  const std::vector<std::string>& inputs() const noexcept { return inputs_; }
  const std::vector<std::string>& outputs() const noexcept { return outputs_; }
  std::vector<Layer>& layers() noexcept { return layers_; }
  const std::vector<Layer>& layers() const noexcept { return layers_; }
  /// The tensor with this name, or null.
  Tensor* findTensor(const std::string& name);
  const Tensor* findTensor(const std::string& name) const;
  /// The tensor with this name; throws Error if there is none.
  Tensor& tensor(const std::string& name);
  const Tensor& tensor(const std::string& name) const;
  /// Every tensor, by name.
  const std::unordered_map<std::string, Tensor>& tensors() const noexcept { return tensors_; }
  /// Adds or replaces a tensor (used by importers and passes).
  Tensor& putTensor(Tensor t);
  /// The opset of a domain ("" or "ai.onnx" for the default), or `fallback`.
  int64_t opsetOf(const std::string& domain, int64_t fallback = -1) const;
  /// Number of weights in constants, and their bytes.
  int64_t parameterCount() const;
  int64_t parameterBytes() const;

  /// Removes constants that no layer reads and that are not graph inputs or
  /// outputs (left behind by folding passes). Returns how many went.
  size_t removeUnusedConstants();

  /// Reorders layers so every layer comes after the producers of its inputs.
  /// Throws Error (naming a layer on the cycle) if the graph has a cycle or
  /// reads a tensor nothing produces.
  void sortTopologically();

 private:
  std::string uniqueName(const std::string& base);

  std::unordered_map<std::string, Tensor> tensors_;
  std::vector<Layer> layers_;
  std::vector<std::string> inputs_;
  std::vector<std::string> outputs_;
  int64_t nameCounter_ = 0;
};

/// Options of static shape inference.
struct InferOptions {
  /// Largest number of elements computed ahead of time when every input of a
  /// layer is known (constant folding during inference, e.g. Shape→Gather).
  int64_t maxFoldElements = 1 << 16;
};

/// Checks every layer against its operator's definition (inputs, outputs,
/// attributes, opset) and infers the type and shape of every tensor that a
/// layer produces, keeping symbolic dimensions where it can. Throws Error
/// naming the node, op and opset at the first inconsistency. Unsupported ops
/// are reported together by unsupportedOps(), not here.
void inferShapes(Network& network, const InferOptions& options = {});

/// Every distinct operator of the network that Kiln cannot run, as
/// "domain:Op" or "Op" for the default domain, sorted.
std::vector<std::string> unsupportedOps(const Network& network);

/// True when Kiln's reference backend implements this operator.
bool isSupportedOp(const std::string& op, const std::string& domain = {});

}  // namespace kiln
