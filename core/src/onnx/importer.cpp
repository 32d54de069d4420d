// ONNX → Network. Parsing uses libonnx's protobuf classes; validation and
// shape inference are Kiln's own (per op, for every opset Kiln knows), with
// libonnx's checker as an extra check for models within its range.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "kiln/errors.h"
#include "kiln/onnx.h"
#include "onnx/tensor_proto.h"
#include "tools/file_bytes.h"

namespace kiln {

namespace {

using onnximport::fromOnnxType;
using onnximport::onnxTypeName;
using onnximport::tensorFromProto;

// The newest IR version and default-domain opset libonnx 1.12 understands.
constexpr int64_t kLibraryMaxIr = 8;
constexpr int64_t kLibraryMaxOpset = 17;

struct ImportState {
  std::string file;
  std::string baseDir;
  Network net;
  OnnxModelInfo info;
};

[[noreturn]] void failModel(const ImportState& s, ErrorCode code, const std::string& message,
                            const std::string& node = {}, const std::string& op = {}, int64_t opset = -1) {
  throw Error(code, message, ErrorLocation{s.file, node, op, opset});
}

Dims dimsFromType(const onnx::TypeProto_Tensor& tt) {
  if (!tt.has_shape()) return Dims::unknownRank();
  Dims dims;
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() >= 0) dims.d.emplace_back(d.dim_value());
    else if (d.has_dim_param()) dims.d.push_back(Dim::symbolic(d.dim_param()));
    else dims.d.emplace_back();
  }
  return dims;
}

// Type and shape of a declared value; fails for non-tensor and unsupported types.
Tensor tensorFromValueInfo(const ImportState& s, const onnx::ValueInfoProto& vi) {
  if (!vi.type().has_tensor_type()) {
    failModel(s, ErrorCode::kUnsupportedType, "value '" + vi.name() + "' is not a tensor (sequences, maps and optionals are not supported)");
  }
  const auto& tt = vi.type().tensor_type();
  auto type = fromOnnxType(tt.elem_type());
  if (!type) {
    failModel(s, ErrorCode::kUnsupportedType,
              "value '" + vi.name() + "' has data type " + onnxTypeName(tt.elem_type()) + ", which is not supported");
  }
  return Tensor{vi.name(), *type, dimsFromType(tt), nullptr};
}

Attribute attributeFromProto(const ImportState& s, const onnx::AttributeProto& a, const std::string& node,
                             const std::string& op, int64_t opset) {
  Attribute out;
  switch (a.type()) {
    case onnx::AttributeProto::FLOAT: return Attribute::ofFloat(a.f());
    case onnx::AttributeProto::INT: return Attribute::ofInt(a.i());
    case onnx::AttributeProto::STRING: return Attribute::ofString(a.s());
    case onnx::AttributeProto::FLOATS: return Attribute::ofFloats({a.floats().begin(), a.floats().end()});
    case onnx::AttributeProto::INTS: return Attribute::ofInts({a.ints().begin(), a.ints().end()});
    case onnx::AttributeProto::STRINGS: return Attribute::ofStrings({a.strings().begin(), a.strings().end()});
    case onnx::AttributeProto::TENSOR:
      try {
        return Attribute::ofTensor(tensorFromProto(a.t(), s.baseDir));
      } catch (const Error& e) {
        throw e.withContext(ErrorLocation{s.file, node, op, opset});
      }
    default: break;
  }
  failModel(s, ErrorCode::kUnsupportedType,
            "attribute '" + a.name() + "' has a kind Kiln does not support (graphs, sparse tensors, type protos)", node,
            op, opset);
}

void runLibraryChecker(ImportState& s, const onnx::ModelProto& model, const std::string& path, bool hasExternal) {
  try {
    if (hasExternal && !path.empty()) onnx::checker::check_model(path);
    else onnx::checker::check_model(model);
    s.info.libraryChecked = true;
  } catch (const std::exception& e) {
    std::string what = e.what();
    auto nl = what.find("\n\n");  // libonnx appends the offending proto after a blank line
    if (nl != std::string::npos) what = what.substr(0, nl);
    failModel(s, ErrorCode::kCheckerFailed, "the ONNX checker rejected the model: " + what);
  }
}

bool withinLibraryRange(const onnx::ModelProto& model) {
  if (model.ir_version() > kLibraryMaxIr) return false;
  for (const auto& o : model.opset_import()) {
    if ((o.domain().empty() || o.domain() == "ai.onnx") && o.version() > kLibraryMaxOpset) return false;
    if (!o.domain().empty() && o.domain() != "ai.onnx" && o.domain() != "ai.onnx.ml") return false;
  }
  return true;
}

Network convert(ImportState& s, const onnx::ModelProto& model, const std::string& path,
                const OnnxImportOptions& options) {
  if (!model.has_graph()) failModel(s, ErrorCode::kInvalidModel, "not an ONNX model: it has no graph");
  if (model.ir_version() < 3 || model.ir_version() > 11) {
    failModel(s, ErrorCode::kInvalidModel,
              "not an ONNX model Kiln can read: IR version " + std::to_string(model.ir_version()) +
                  " (expected 3 to 11)");
  }
  if (model.opset_import_size() == 0) failModel(s, ErrorCode::kInvalidModel, "the model declares no opset");
  s.info.irVersion = model.ir_version();
  s.info.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());

  Network& net = s.net;
  net.opsets.clear();
  for (const auto& o : model.opset_import()) {
    net.opsets[o.domain() == "ai.onnx" ? std::string() : o.domain()] = o.version();
  }
  const auto& g = model.graph();
  net.name = g.name();
  const int64_t defaultOpset = net.opsetOf("", -1);
  if (defaultOpset >= 0 && (defaultOpset < 1 || defaultOpset > 23)) {
    failModel(s, ErrorCode::kInvalidModel, "opset " + std::to_string(defaultOpset) + " is not a known ONNX opset");
  }

  bool hasExternal = false;
  std::set<std::string> initializerNames;
  for (const auto& init : g.initializer()) {
    if (init.name().empty()) failModel(s, ErrorCode::kInvalidModel, "an initializer has no name");
    if (!initializerNames.insert(init.name()).second) {
      failModel(s, ErrorCode::kInvalidModel, "initializer '" + init.name() + "' is defined twice");
    }
    hasExternal = hasExternal || init.data_location() == onnx::TensorProto::EXTERNAL;
    try {
      net.addConstant(init.name(), tensorFromProto(init, s.baseDir));
    } catch (const Error& e) {
      throw e.withContext(ErrorLocation{s.file, {}, {}, -1});
    }
  }
  if (g.sparse_initializer_size() > 0) {
    failModel(s, ErrorCode::kUnsupportedType, "sparse initializers are not supported");
  }
  for (const auto& in : g.input()) {
    if (initializerNames.count(in.name())) continue;  // IR < 4 lists weights as inputs too
    Tensor t = tensorFromValueInfo(s, in);
    net.addInput(t.name, t.type, t.dims);
  }
  std::vector<std::string> unsupported;
  std::set<std::string> seenUnsupported;
  std::set<std::string> produced;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    std::string name = n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
    const std::string domain = n.domain() == "ai.onnx" ? std::string() : n.domain();
    const int64_t opset = net.opsetOf(domain, -1);
    if (opset < 0) {
      failModel(s, ErrorCode::kInvalidModel, "domain '" + domain + "' is used but not imported", name, n.op_type());
    }
    Attributes attrs;
    for (const auto& a : n.attribute()) {
      if (!a.ref_attr_name().empty()) continue;  // only inside functions
      attrs[a.name()] = attributeFromProto(s, a, name, n.op_type(), opset);
    }
    if (!isSupportedOp(n.op_type(), domain)) {
      std::string key = (domain.empty() ? "" : domain + ":") + n.op_type() + " (opset " + std::to_string(opset) + ")";
      if (seenUnsupported.insert(key).second) unsupported.push_back(key);
    }
    std::vector<std::string> outputs(n.output().begin(), n.output().end());
    for (const auto& o : outputs) {
      if (!o.empty() && (!produced.insert(o).second || initializerNames.count(o) || net.findTensor(o) && std::find(net.inputs().begin(), net.inputs().end(), o) != net.inputs().end())) {
        failModel(s, ErrorCode::kInvalidModel, "output '" + o + "' is produced twice", name, n.op_type(), opset);
      }
    }
    std::vector<std::string> inputs(n.input().begin(), n.input().end());
    for (const auto& in : inputs) {
      if (!in.empty() && !net.findTensor(in)) {
        // producers may come later in a graph that is not sorted; declare the name now
        net.putTensor(Tensor{in, DataType::kFloat32, Dims::unknownRank(), nullptr});
      }
    }
    Layer layer;
    layer.name = name;
    layer.op = n.op_type();
    layer.domain = domain;
    layer.attrs = std::move(attrs);
    layer.inputs = std::move(inputs);
    layer.outputs = std::move(outputs);
    layer.origin = {name};
    for (const auto& o : layer.outputs) {
      if (!o.empty()) net.putTensor(Tensor{o, DataType::kFloat32, Dims::unknownRank(), nullptr});
    }
    net.layers().push_back(std::move(layer));
  }
  for (const auto& vi : g.value_info()) {
    Tensor* t = net.findTensor(vi.name());
    if (!t || t->data || !vi.type().has_tensor_type()) continue;
    auto type = fromOnnxType(vi.type().tensor_type().elem_type());
    if (type) t->type = *type;
    t->dims = dimsFromType(vi.type().tensor_type());
  }
  for (const auto& out : g.output()) {
    Tensor decl = tensorFromValueInfo(s, out);
    Tensor* t = net.findTensor(out.name());
    if (!t) failModel(s, ErrorCode::kInvalidModel, "graph output '" + out.name() + "' is not produced by any node");
    if (!t->data) {
      t->type = decl.type;
      t->dims = decl.dims;
    }
    net.markOutput(out.name());
  }
  try {
    net.sortTopologically();
  } catch (const Error& e) {
    throw e.withContext(ErrorLocation{s.file, {}, {}, -1});
  }
  if (options.runLibraryChecker && withinLibraryRange(model)) runLibraryChecker(s, model, path, hasExternal);
  else if (options.runLibraryChecker) s.info.warnings.push_back("libonnx's checker skipped: the model is newer than it knows (IR " +
                                                                std::to_string(model.ir_version()) + ")");
  if (!unsupported.empty() && options.rejectUnsupported) {
    std::string list;
    for (const auto& u : unsupported) list += (list.empty() ? "" : ", ") + u;
    failModel(s, ErrorCode::kUnsupportedOp,
              std::to_string(unsupported.size()) + " unsupported operator" + (unsupported.size() > 1 ? "s" : "") + ": " + list);
  }
  if (options.inferShapes) {
    try {
      inferShapes(net);
    } catch (const Error& e) {
      throw e.withContext(ErrorLocation{s.file, {}, {}, -1});
    }
  }
  return std::move(net);
}

}  // namespace

Network importOnnxBytes(const std::string& bytes, const std::string& baseDir, const std::string& displayName,
                        const OnnxImportOptions& options, OnnxModelInfo* info) {
  ImportState s;
  s.file = displayName;
  s.baseDir = baseDir;
  if (bytes.empty()) failModel(s, ErrorCode::kInvalidModel, "the file is empty");
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    failModel(s, ErrorCode::kInvalidModel, "not an ONNX model, or a truncated one: protobuf parsing failed");
  }
  Network net = convert(s, model, {}, options);
  if (info) *info = s.info;
  return net;
}

Network importOnnx(const std::string& path, const OnnxImportOptions& options, OnnxModelInfo* info) {
  ImportState s;
  s.file = path;
  std::string bytes = tools::readFileBytes(path);
  if (bytes.empty()) failModel(s, ErrorCode::kInvalidModel, "the file is empty");
  s.baseDir = std::filesystem::path(path).parent_path().string();
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    failModel(s, ErrorCode::kInvalidModel, "not an ONNX model, or a truncated one: protobuf parsing failed");
  }
  Network net = convert(s, model, path, options);
  if (info) *info = s.info;
  return net;
}

}  // namespace kiln
