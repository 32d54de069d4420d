#include "plan/engine_desc.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "kiln/errors.h"

namespace kiln::plan {

namespace {
int64_t alignUp(int64_t v) { return (v + kPlanAlignment - 1) / kPlanAlignment * kPlanAlignment; }

Error internal(const std::string& what) { return Error(ErrorCode::kInternal, "plan: " + what); }
Error corrupt(const std::string& what) { return Error(ErrorCode::kInvalidPlan, "corrupt plan: " + what); }

// ---- writing ---------------------------------------------------------------

void describeDims(const Dims& dims, Shape* out) {
  out->set_rank_known(dims.rankKnown);
  for (const kiln::Dim& d : dims.d) {
    plan::Dim* pd = out->add_dims();
    pd->set_value(d.value);
    pd->set_symbol(d.symbol);
  }
}

void describeAttribute(const std::string& layer, const std::string& name, const Attribute& a, AttributeDesc* out) {
  out->set_name(name);
  out->set_kind(int32_t(a.kind));
  switch (a.kind) {
    case Attribute::Kind::kInt: out->set_i(a.i); break;
    case Attribute::Kind::kFloat: out->set_f(a.f); break;
    case Attribute::Kind::kString: out->set_s(a.s); break;
    case Attribute::Kind::kInts: out->mutable_ints()->Add(a.ints.begin(), a.ints.end()); break;
    case Attribute::Kind::kFloats: out->mutable_floats()->Add(a.floats.begin(), a.floats.end()); break;
    case Attribute::Kind::kStrings:
      for (const auto& s : a.strings) out->add_strings(s);
      break;
    case Attribute::Kind::kTensor: {
      if (!a.t) throw internal("tensor attribute '" + name + "' of layer '" + layer + "' holds no tensor");
      TensorValue* t = out->mutable_t();
      t->set_dtype(int32_t(a.t->type()));
      t->mutable_shape()->Add(a.t->shape().begin(), a.t->shape().end());
      t->set_data(static_cast<const char*>(a.t->raw()), a.t->bytes());
      break;
    }
  }
}

// ---- reading ---------------------------------------------------------------

std::optional<DataType> dataTypeOf(int32_t v) {
  if (v < int32_t(DataType::kFloat32) || v > int32_t(DataType::kBool)) return std::nullopt;
  return DataType(v);
}

DataType readType(int32_t v, const std::string& what) {
  auto t = dataTypeOf(v);
  if (!t) throw corrupt(what + " has unknown data type " + std::to_string(v));
  return *t;
}

// A tensor of `type` and `shape` holding `size` bytes at `data`; the size is
// checked against the shape before anything is allocated.
HostTensor readTensor(DataType type, const google::protobuf::RepeatedField<int64_t>& shape, const char* data,
                      uint64_t size, const std::string& what) {
  uint64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(elements, uint64_t(d), &elements)) {
      throw corrupt(what + " has a bad shape");
    }
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(elements, uint64_t(elementSize(type)), &bytes) || bytes != size) {
    throw corrupt(what + " holds " + std::to_string(size) + " bytes, its shape needs " + std::to_string(bytes));
  }
  HostTensor t(type, std::vector<int64_t>(shape.begin(), shape.end()));
  if (size > 0) std::memcpy(t.raw(), data, size);
  return t;
}

Dims readDims(const Shape& s) {
  Dims dims;
  dims.rankKnown = s.rank_known();
  for (const auto& pd : s.dims()) {
    kiln::Dim d;
    d.value = pd.value();
    d.symbol = pd.symbol();
    dims.d.push_back(std::move(d));
  }
  return dims;
}

Attribute readAttribute(const AttributeDesc& pa, const std::string& what) {
  Attribute a;
  switch (pa.kind()) {
    case int32_t(Attribute::Kind::kInt): a.i = pa.i(); break;
    case int32_t(Attribute::Kind::kFloat): a.f = pa.f(); break;
    case int32_t(Attribute::Kind::kString): a.s = pa.s(); break;
    case int32_t(Attribute::Kind::kInts): a.ints.assign(pa.ints().begin(), pa.ints().end()); break;
    case int32_t(Attribute::Kind::kFloats): a.floats.assign(pa.floats().begin(), pa.floats().end()); break;
    case int32_t(Attribute::Kind::kStrings): a.strings.assign(pa.strings().begin(), pa.strings().end()); break;
    case int32_t(Attribute::Kind::kTensor): {
      const TensorValue& t = pa.t();
      a.t = std::make_shared<const HostTensor>(
          readTensor(readType(t.dtype(), what), t.shape(), t.data().data(), t.data().size(), what));
      break;
    }
    default: throw corrupt(what + " has unknown kind " + std::to_string(pa.kind()));
  }
  a.kind = Attribute::Kind(pa.kind());
  return a;
}

Layer readLayer(const LayerDesc& pl, const Network& net) {
  Layer layer;
  layer.name = pl.name();
  layer.op = pl.op();
  layer.domain = pl.domain();
  const std::string what = "layer '" + layer.name + "'";
  for (const auto& pa : pl.attrs()) {
    std::string attrWhat = "attribute '" + pa.name() + "' of " + what;
    if (!layer.attrs.emplace(pa.name(), readAttribute(pa, attrWhat)).second) throw corrupt(attrWhat + " appears twice");
  }
  for (const auto& in : pl.inputs()) {
    if (!in.empty() && !net.findTensor(in)) throw corrupt(what + " reads unknown tensor '" + in + "'");
    layer.inputs.push_back(in);
  }
  for (const auto& out : pl.outputs()) {
    if (!out.empty() && !net.findTensor(out)) throw corrupt(what + " writes unknown tensor '" + out + "'");
    layer.outputs.push_back(out);
  }
  layer.origin.assign(pl.origin().begin(), pl.origin().end());
  return layer;
}

std::vector<int64_t> sizes(const google::protobuf::RepeatedField<int64_t>& v) { return {v.begin(), v.end()}; }

// Tensors first (constants copied out of the blob), then graph inputs, layers
// and graph outputs, each checked against the tensors.
void restoreNetwork(const EngineDesc& desc, std::string_view blob, Network& net) {
  net.name = desc.name();
  net.opsets.clear();
  for (const auto& o : desc.opsets()) net.opsets[o.domain()] = o.version();

  std::map<std::string, Tensor> tensors;
  for (const auto& pt : desc.tensors()) {
    const std::string what = "tensor '" + pt.name() + "'";
    if (pt.name().empty()) throw corrupt("a tensor has no name");
    Tensor t{pt.name(), readType(pt.dtype(), what), readDims(pt.dims()), nullptr};
    if (pt.has_constant()) {
      const WeightRef& w = pt.constant();
      if (w.offset() % uint64_t(kPlanAlignment) != 0) throw corrupt("the weights of " + what + " are not aligned");
      if (w.offset() > blob.size() || w.bytes() > blob.size() - w.offset()) {
        throw corrupt("the weights of " + what + " lie outside the weight blob");
      }
      t.data = std::make_shared<const HostTensor>(
          readTensor(readType(w.dtype(), what), w.shape(), blob.data() + w.offset(), w.bytes(), what));
    }
    if (!tensors.emplace(t.name, std::move(t)).second) throw corrupt(what + " appears twice");
  }

  std::set<std::string> inputs;
  for (const auto& name : desc.inputs()) {
    auto it = tensors.find(name);
    if (it == tensors.end() || !inputs.insert(name).second) {
      throw corrupt("graph input '" + name + "' is unknown or repeated");
    }
    net.addInput(name, it->second.type, it->second.dims);
  }
  for (auto& [name, t] : tensors) {
    if (!inputs.count(name)) net.putTensor(std::move(t));
  }
  for (const auto& pl : desc.layers()) net.layers().push_back(readLayer(pl, net));
  for (const auto& name : desc.outputs()) {
    if (!net.findTensor(name)) throw corrupt("graph output '" + name + "' is unknown");
    net.markOutput(name);
  }
}
}  // namespace

DescribedEngine describeEngine(const PlanContents& plan) {
  const Network& net = plan.network;
  const size_t layerCount = net.layers().size();
  if (plan.tactics.size() != layerCount || plan.tacticState.size() != layerCount) {
    throw internal(std::to_string(plan.tactics.size()) + " tactics and " + std::to_string(plan.tacticState.size()) +
                   " tactic states for " + std::to_string(layerCount) + " layers");
  }
  if (plan.profiles.empty()) throw internal("no optimization profile");

  DescribedEngine out;
  EngineDesc& desc = out.desc;
  desc.set_name(net.name);
  for (const auto& [domain, version] : net.opsets) {
    Opset* o = desc.add_opsets();
    o->set_domain(domain);
    o->set_version(version);
  }

  std::vector<const Tensor*> tensors;
  for (const auto& [name, t] : net.tensors()) tensors.push_back(&t);
  std::sort(tensors.begin(), tensors.end(), [](const Tensor* a, const Tensor* b) { return a->name < b->name; });
  for (const Tensor* t : tensors) {
    TensorDesc* pt = desc.add_tensors();
    pt->set_name(t->name);
    pt->set_dtype(int32_t(t->type));
    describeDims(t->dims, pt->mutable_dims());
    if (t->data) {
      const int64_t offset = alignUp(out.blobBytes);
      WeightRef* w = pt->mutable_constant();
      w->set_dtype(int32_t(t->data->type()));
      w->mutable_shape()->Add(t->data->shape().begin(), t->data->shape().end());
      w->set_offset(uint64_t(offset));
      w->set_bytes(t->data->bytes());
      out.weights.push_back({t->data.get(), offset});
      out.blobBytes = offset + int64_t(t->data->bytes());
    }
  }

  for (size_t i = 0; i < layerCount; ++i) {
    const Layer& layer = net.layers()[i];
    LayerDesc* pl = desc.add_layers();
    pl->set_name(layer.name);
    pl->set_op(layer.op);
    pl->set_domain(layer.domain);
    for (const auto& [name, a] : layer.attrs) describeAttribute(layer.name, name, a, pl->add_attrs());
    for (const auto& s : layer.inputs) pl->add_inputs(s);
    for (const auto& s : layer.outputs) pl->add_outputs(s);
    for (const auto& s : layer.origin) pl->add_origin(s);
    pl->set_tactic(plan.tactics[i]);
    pl->set_tactic_state(plan.tacticState[i]);
  }
  for (const auto& s : net.inputs()) desc.add_inputs(s);
  for (const auto& s : net.outputs()) desc.add_outputs(s);

  for (const auto& profile : plan.profiles) {
    Profile* pp = desc.add_profiles();
    for (const auto& [input, range] : profile.inputs) {
      InputRange* r = pp->add_inputs();
      r->set_input(input);
      r->mutable_min()->Add(range.min.begin(), range.min.end());
      r->mutable_opt()->Add(range.opt.begin(), range.opt.end());
      r->mutable_max()->Add(range.max.begin(), range.max.end());
    }
    for (const auto& [input, values] : profile.shapeValues) {
      ShapeValues* v = pp->add_shape_values();
      v->set_input(input);
      v->mutable_values()->Add(values.begin(), values.end());
    }
  }
  desc.set_report_json(reportToJson(plan.report, -1));
  return out;
}

void restoreEngine(const EngineDesc& desc, std::string_view blob, PlanContents& plan) {
  restoreNetwork(desc, blob, plan.network);
  for (const auto& pl : desc.layers()) {
    plan.tactics.push_back(pl.tactic());
    plan.tacticState.push_back(pl.tactic_state());
  }
  if (desc.profiles().empty()) throw corrupt("no optimization profile");
  for (const auto& pp : desc.profiles()) {
    OptimizationProfile profile;
    for (const auto& r : pp.inputs()) {
      ShapeRange range{sizes(r.min()), sizes(r.opt()), sizes(r.max())};
      if (!profile.inputs.emplace(r.input(), std::move(range)).second) {
        throw corrupt("a profile names input '" + r.input() + "' twice");
      }
    }
    for (const auto& v : pp.shape_values()) {
      if (!plan.network.findTensor(v.input())) throw corrupt("shape values name unknown input '" + v.input() + "'");
      profile.shapeValues[v.input()] = std::vector<double>(v.values().begin(), v.values().end());
    }
    plan.profiles.push_back(std::move(profile));
  }
  try {
    plan.report = reportFromJson(desc.report_json());
  } catch (const Error& e) {
    throw corrupt(e.message());
  }
}

}  // namespace kiln::plan
