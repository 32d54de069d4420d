// Network → ONNX. Writes IR 8 when every opset is within libonnx's range,
// so the result passes its checker, and IR 10 otherwise.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "kiln/errors.h"
#include "kiln/onnx.h"
#include "onnx/tensor_proto.h"

namespace kiln {

namespace {

void setType(const Tensor& t, onnx::ValueInfoProto* vi) {
  vi->set_name(t.name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnximport::toOnnxType(t.type));
  if (!t.dims.rankKnown) return;
  auto* shape = tt->mutable_shape();
  for (const auto& d : t.dims.d) {
    auto* dim = shape->add_dim();
    if (d.known()) dim->set_dim_value(d.value);
    else if (!d.symbol.empty()) dim->set_dim_param(d.symbol);
  }
}

void setAttribute(const std::string& name, const Attribute& a, onnx::AttributeProto* p) {
  p->set_name(name);
  switch (a.kind) {
    case Attribute::Kind::kInt: p->set_type(onnx::AttributeProto::INT); p->set_i(a.i); break;
    case Attribute::Kind::kFloat: p->set_type(onnx::AttributeProto::FLOAT); p->set_f(a.f); break;
    case Attribute::Kind::kString: p->set_type(onnx::AttributeProto::STRING); p->set_s(a.s); break;
    case Attribute::Kind::kInts:
      p->set_type(onnx::AttributeProto::INTS);
      for (auto v : a.ints) p->add_ints(v);
      break;
    case Attribute::Kind::kFloats:
      p->set_type(onnx::AttributeProto::FLOATS);
      for (auto v : a.floats) p->add_floats(v);
      break;
    case Attribute::Kind::kStrings:
      p->set_type(onnx::AttributeProto::STRINGS);
      for (const auto& v : a.strings) p->add_strings(v);
      break;
    case Attribute::Kind::kTensor:
      p->set_type(onnx::AttributeProto::TENSOR);
      onnximport::tensorToProto(*a.t, "", p->mutable_t());
      break;
  }
}

}  // namespace

std::string exportOnnxBytes(const Network& input) {
  // ONNX checkers want a shape on every graph output: infer them when a
  // caller exports a network it has not inferred.
  const Network* source = &input;
  Network inferred;
  for (const auto& name : input.outputs()) {
    if (!input.tensor(name).dims.rankKnown) {
      inferred = input;
      inferShapes(inferred);
      source = &inferred;
      break;
    }
  }
  const Network& network = *source;
  onnx::ModelProto model;
  bool fitsLibrary = true;
  for (const auto& [domain, version] : network.opsets) {
    auto* o = model.add_opset_import();
    o->set_domain(domain);
    o->set_version(version);
    if (domain.empty() && version > 17) fitsLibrary = false;
  }
  model.set_ir_version(fitsLibrary ? 8 : 10);
  model.set_producer_name("kiln");
  model.set_producer_version(KILN_VERSION);
  auto* g = model.mutable_graph();
  g->set_name(network.name.empty() ? "kiln" : network.name);
  for (const auto& name : network.inputs()) setType(network.tensor(name), g->add_input());
  std::vector<std::string> constants;
  for (const auto& [name, t] : network.tensors()) {
    if (t.data) constants.push_back(name);
  }
  std::sort(constants.begin(), constants.end());
  for (const auto& name : constants) onnximport::tensorToProto(*network.tensor(name).data, name, g->add_initializer());
  for (const auto& layer : network.layers()) {
    auto* n = g->add_node();
    n->set_name(layer.name);
    n->set_op_type(layer.op);
    if (!layer.domain.empty()) n->set_domain(layer.domain);
    for (const auto& in : layer.inputs) n->add_input(in);
    for (const auto& out : layer.outputs) n->add_output(out);
    for (const auto& [name, a] : layer.attrs) setAttribute(name, a, n->add_attribute());
    for (const auto& out : layer.outputs) {
      const Tensor* t = network.findTensor(out);
      bool isOutput = std::find(network.outputs().begin(), network.outputs().end(), out) != network.outputs().end();
      if (t && !isOutput && t->dims.rankKnown) setType(*t, g->add_value_info());
    }
  }
  for (const auto& name : network.outputs()) setType(network.tensor(name), g->add_output());
  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    throw Error(ErrorCode::kInternal, "the model could not be serialized (over 2 GiB?)");
  }
  return bytes;
}

void exportOnnx(const Network& network, const std::string& path) {
  std::string bytes = exportOnnxBytes(network);
  std::filesystem::path target(path);
  std::filesystem::path tmp = target;
  tmp += ".kiln-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCode::kIoError, "cannot write " + tmp.string());
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw Error(ErrorCode::kIoError, "writing " + tmp.string() + " failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error(ErrorCode::kIoError, "cannot replace " + path + ": " + ec.message());
  }
}

}  // namespace kiln
