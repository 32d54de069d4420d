#include "ops/op.h"

#include <algorithm>
#include <mutex>

namespace kiln::ops {

namespace {
const char* kindName(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kTensor: return "tensor";
  }
  return "?";
}
}  // namespace

const Attribute* NodeContext::attr(std::string_view name) const {
  auto it = layer_.attrs.find(std::string(name));
  return it == layer_.attrs.end() ? nullptr : &it->second;
}

static const Attribute* typed(const NodeContext& ctx, std::string_view name, Attribute::Kind kind) {
  const Attribute* a = ctx.attr(name);
  if (a && a->kind != kind) {
    ctx.fail("attribute '" + std::string(name) + "' should be " + kindName(kind) + ", not " +
             kindName(a->kind));
  }
  return a;
}

int64_t NodeContext::attrInt(std::string_view name, int64_t fallback) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kInt);
  return a ? a->i : fallback;
}

int64_t NodeContext::attrIntRequired(std::string_view name) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kInt);
  if (!a) fail("required attribute '" + std::string(name) + "' is missing");
  return a->i;
}

float NodeContext::attrFloat(std::string_view name, float fallback) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kFloat);
  return a ? a->f : fallback;
}

std::string NodeContext::attrString(std::string_view name, std::string fallback) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kString);
  return a ? a->s : fallback;
}

std::vector<int64_t> NodeContext::attrInts(std::string_view name, std::vector<int64_t> fallback) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kInts);
  return a ? a->ints : fallback;
}

std::vector<float> NodeContext::attrFloats(std::string_view name, std::vector<float> fallback) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kFloats);
  return a ? a->floats : fallback;
}

const HostTensor* NodeContext::attrTensor(std::string_view name) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kTensor);
  return a ? a->t.get() : nullptr;
}

void NodeContext::fail(const std::string& message, ErrorCode code) const {
  ErrorLocation where;
  where.node = layer_.name;
  where.op = layer_.op;
  where.opset = opset_;
  throw Error(code, message, where);
}

const ValueInfo& InferContext::input(size_t i) const {
  if (!hasInput(i)) fail("input " + std::to_string(i) + " is required but missing");
  return *inputs_[i];
}

void InferContext::setOutput(size_t i, DataType type, Dims dims) {
  if (i >= outputs_.size()) return;  // optional output not requested
  outputs_[i].type = type;
  outputs_[i].dims = std::move(dims);
}

void InferContext::expectType(size_t i, std::initializer_list<DataType> allowed) const {
  DataType t = input(i).type;
  if (std::find(allowed.begin(), allowed.end(), t) != allowed.end()) return;
  std::string names;
  for (DataType a : allowed) names += std::string(names.empty() ? "" : ", ") + toString(a);
  fail("input " + std::to_string(i) + " has type " + toString(t) + "; expected one of " + names,
       ErrorCode::kUnsupportedType);
}

const HostTensor& ComputeContext::input(size_t i) const {
  if (!hasInput(i)) fail("input " + std::to_string(i) + " is required but missing");
  return *inputs_[i];
}

const OpRegistry& OpRegistry::instance() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerActivationOps(r);
    registerMatmulOps(r);
    registerConvOps(r);
    registerPoolOps(r);
    registerNormOps(r);
    registerReduceOps(r);
    registerShapeOps(r);
    registerLayoutOps(r);
    registerConstantOps(r);
    registerIndexOps(r);
    registerResizeOps(r);
    registerQuantOps(r);
    registerFusedOps(r);
    return r;
  }();
  return registry;
}

const OpSchema* OpRegistry::find(std::string_view name, std::string_view domain) const {
  if (domain == "ai.onnx") domain = {};
  for (const auto& op : ops_) {
    if (op.name == name && op.domain == domain) return &op;
  }
  return nullptr;
}

void OpRegistry::add(const OpSchema& schema) { ops_.push_back(schema); }

}  // namespace kiln::ops
