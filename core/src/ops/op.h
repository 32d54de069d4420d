// The definition of an operator for Kiln's reference backend: how to check a
// node and infer its outputs (statically, with symbolic dims, and at run time
// with concrete ones), and how to compute it on the CPU.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/errors.h"
#include "kiln/network.h"
#include "kiln/types.h"

namespace kiln::ops {

/// What inference knows about one tensor: its type, its (maybe symbolic)
/// shape, and its value when that is known (a constant, a folded result, or at
/// run time the actual data).
struct ValueInfo {
  DataType type = DataType::kFloat32;
  Dims dims = Dims::unknownRank();
  const HostTensor* value = nullptr;
};

/// Attribute access and error reporting for one node.
class NodeContext {
 public:
  NodeContext(const Layer& layer, int64_t opset) : layer_(layer), opset_(opset) {}

  const Layer& layer() const noexcept { return layer_; }
  /// The opset version of the node's domain.
  int64_t opset() const noexcept { return opset_; }

  const Attribute* attr(std::string_view name) const;
  bool hasAttr(std::string_view name) const { return attr(name) != nullptr; }
  int64_t attrInt(std::string_view name, int64_t fallback) const;
  int64_t attrIntRequired(std::string_view name) const;
  float attrFloat(std::string_view name, float fallback) const;
  std::string attrString(std::string_view name, std::string fallback) const;
  std::vector<int64_t> attrInts(std::string_view name, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attrFloats(std::string_view name, std::vector<float> fallback = {}) const;
  /// A tensor attribute, or null.
  const HostTensor* attrTensor(std::string_view name) const;

  /// Throws an Error naming this node, op and opset.
  [[noreturn]] void fail(const std::string& message, ErrorCode code = ErrorCode::kInvalidModel) const;
  /// fail(message) unless `condition`.
  void check(bool condition, const std::string& message) const {
    if (!condition) fail(message);
  }

 private:
  const Layer& layer_;
  int64_t opset_;
};

/// Inference of one node: read the inputs' ValueInfos, set the outputs'.
/// When every input value is known (always so at run time), the output dims
/// must come out fully known.
class InferContext : public NodeContext {
 public:
  InferContext(const Layer& layer, int64_t opset, std::vector<const ValueInfo*> inputs,
               std::vector<ValueInfo>& outputs)
      : NodeContext(layer, opset), inputs_(std::move(inputs)), outputs_(outputs) {}

  /// Number of input slots (omitted optional inputs count).
  size_t numInputs() const noexcept { return inputs_.size(); }
  /// True when input i is present.
  bool hasInput(size_t i) const noexcept { return i < inputs_.size() && inputs_[i] != nullptr; }
  /// Input i; fails naming the slot when it is absent.
  const ValueInfo& input(size_t i) const;
  /// The known value of input i, or null (absent or not known).
  const HostTensor* value(size_t i) const { return hasInput(i) ? inputs_[i]->value : nullptr; }
  size_t numOutputs() const noexcept { return outputs_.size(); }
  /// Sets output i.
  void setOutput(size_t i, DataType type, Dims dims);
  /// Fails unless input i has one of the listed types.
  void expectType(size_t i, std::initializer_list<DataType> allowed) const;

 private:
  std::vector<const ValueInfo*> inputs_;
  std::vector<ValueInfo>& outputs_;
};

/// Computation of one node on the CPU. The outputs are already allocated with
/// the types and shapes inference gave.
class ComputeContext : public NodeContext {
 public:
  ComputeContext(const Layer& layer, int64_t opset, std::vector<const HostTensor*> inputs,
                 std::vector<HostTensor>& outputs)
      : NodeContext(layer, opset), inputs_(std::move(inputs)), outputs_(outputs) {}

  size_t numInputs() const noexcept { return inputs_.size(); }
  bool hasInput(size_t i) const noexcept { return i < inputs_.size() && inputs_[i] != nullptr; }
  /// Input i; fails when absent.
  const HostTensor& input(size_t i) const;
  /// Input i, or null when absent.
  const HostTensor* inputOrNull(size_t i) const { return hasInput(i) ? inputs_[i] : nullptr; }
  size_t numOutputs() const noexcept { return outputs_.size(); }
  HostTensor& output(size_t i) { return outputs_.at(i); }

 private:
  std::vector<const HostTensor*> inputs_;
  std::vector<HostTensor>& outputs_;
};

using InferFn = void (*)(InferContext&);
using ComputeFn = void (*)(ComputeContext&);

/// One operator: its arity, the opsets it exists in, and its two functions.
struct OpSchema {
  std::string_view name;      ///< operator type
  std::string_view domain;    ///< "" for the default ONNX domain
  int sinceVersion = 1;       ///< the first opset that has the operator
  int minInputs = 1;
  int maxInputs = 1;
  int minOutputs = 1;
  int maxOutputs = 1;
  InferFn infer = nullptr;
  ComputeFn compute = nullptr;
  bool foldable = true;       ///< may be evaluated ahead of time when its inputs are known
  /// Reads only its inputs' shapes (Shape, Size): folds as soon as they are known.
  bool readsShapesOnly = false;
};

/// All operators Kiln knows, by (domain, name).
class OpRegistry {
 public:
  /// The one registry, filled on first use.
  static const OpRegistry& instance();
  /// The schema, or null.
  const OpSchema* find(std::string_view name, std::string_view domain = {}) const;
  /// Every registered operator.
  const std::vector<OpSchema>& all() const noexcept { return ops_; }
  /// Adds an operator (used by the register*Ops functions).
  void add(const OpSchema& schema);

 private:
  std::vector<OpSchema> ops_;
};

// One function per op family file; each adds that family's operators.
void registerElementwiseOps(OpRegistry& r);
void registerActivationOps(OpRegistry& r);
void registerMatmulOps(OpRegistry& r);
void registerConvOps(OpRegistry& r);
void registerPoolOps(OpRegistry& r);
void registerNormOps(OpRegistry& r);
void registerReduceOps(OpRegistry& r);
void registerShapeOps(OpRegistry& r);
void registerLayoutOps(OpRegistry& r);
void registerConstantOps(OpRegistry& r);
void registerIndexOps(OpRegistry& r);
void registerResizeOps(OpRegistry& r);
void registerQuantOps(OpRegistry& r);
void registerFusedOps(OpRegistry& r);

}  // namespace kiln::ops
