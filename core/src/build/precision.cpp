#include "build/precision.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "kiln/errors.h"
#include "ops/op.h"

namespace kiln::build {

namespace {

bool isFloatStorage(DataType t) {
  return t == DataType::kFloat32 || t == DataType::kFloat16 || t == DataType::kBFloat16;
}

// Inputs whose float type the op fixes regardless of the data's type.
bool isFixedTypeParameter(const Layer& l, size_t slot) {
  if (l.domain.empty() && (l.op == "Resize" || l.op == "Upsample")) return slot >= 1;
  if (l.domain.empty() && (l.op == "QuantizeLinear" || l.op == "DequantizeLinear")) return slot >= 1;
  return false;
}

// Outputs of ops that name their output type keep it (Cast, Shape, ArgMax, ...);
// a float "to" inside a reduced-precision layer follows the layer's precision.
void retargetTypeAttributes(Layer& l, DataType storage) {
  if (!l.domain.empty()) return;
  auto it = l.attrs.find("to");
  if (l.op == "Cast" && it != l.attrs.end() && it->second.i == 1 /* FLOAT */) {
    it->second.i = storage == DataType::kFloat16 ? 10 : storage == DataType::kBFloat16 ? 16 : 1;
  }
}

}  // namespace

DataType storageType(Precision p) {
  switch (p) {
    case Precision::kFP16: return DataType::kFloat16;
    case Precision::kBF16: return DataType::kBFloat16;
    default: return DataType::kFloat32;
  }
}

std::map<std::string, Precision> choosePrecisions(const Network& network, const BuilderConfig& config,
                                                  std::vector<std::string>* warnings) {
  Precision base = config.fp16 ? Precision::kFP16 : config.bf16 ? Precision::kBF16 : Precision::kFP32;
  std::map<std::string, Precision> result;
  for (const Layer& l : network.layers()) {
    Precision p = base;
    const bool matrixOp = l.op == "Conv" || l.op == "MatMul" || l.op == "Gemm" || l.op == "ConvTranspose" ||
                          l.op == "ConvAct" || l.op == "GemmAct" || l.op == "Attention";
    if (p == Precision::kFP32 && config.tf32 && matrixOp) p = Precision::kTF32;
    // a request may name the layer or any ONNX node it stands for
    for (const auto& name : [&] { auto v = l.origin; v.push_back(l.name); return v; }()) {
      auto it = config.layerPrecisions.find(name);
      if (it == config.layerPrecisions.end()) continue;
      Precision want = it->second;
      if (want == Precision::kINT8 || want == Precision::kFP8) {
        if (config.constraints == PrecisionConstraints::kObey) {
          throw Error(ErrorCode::kInvalidArgument, "layer '" + l.name + "': " + toString(want) +
                                                       " needs calibration, which this build does not do yet");
        }
        warnings->push_back("layer '" + l.name + "': " + std::string(toString(want)) + " is not available yet; it runs at " +
                            toString(p));
        continue;
      }
      p = want;
    }
    result[l.name] = p;
  }
  if (config.int8 || config.fp8) {
    warnings->push_back("int8 and fp8 need calibration, which this build does not do yet; those flags are ignored");
  }
  return result;
}

int applyPrecisions(Network& net, const std::map<std::string, Precision>& precisions) {
  const auto& registry = ops::OpRegistry::instance();
  std::vector<Layer> out;
  out.reserve(net.layers().size());
  std::map<std::pair<std::string, DataType>, std::string> converted;  // (tensor, type) -> its copy
  int casts = 0;
  auto convert = [&](const std::string& name, DataType to) -> std::string {
    auto key = std::make_pair(name, to);
    if (auto it = converted.find(key); it != converted.end()) return it->second;
    const Tensor& t = net.tensor(name);
    std::string copy = name + "/" + toString(to);
    while (net.findTensor(copy)) copy += "_";
    if (t.data) {
      net.addConstant(copy, t.data->castTo(to));
    } else {
      Layer cast;
      cast.name = "reformat/" + copy;
      cast.op = "Cast";
      cast.attrs["to"] = Attribute::ofInt(to == DataType::kFloat16 ? 10 : to == DataType::kBFloat16 ? 16 : 1);
      cast.inputs = {name};
      cast.outputs = {copy};
      net.putTensor(Tensor{copy, to, t.dims, nullptr});
      out.push_back(std::move(cast));
      ++casts;
    }
    return converted[key] = copy;
  };
  std::map<std::string, DataType> declared;
  for (const auto& name : net.outputs()) declared[name] = net.tensor(name).type;
  std::vector<Layer> layers = net.layers();
  for (Layer& l : layers) {
    auto it = precisions.find(l.name);
    const DataType storage = storageType(it == precisions.end() ? Precision::kFP32 : it->second);
    for (size_t i = 0; i < l.inputs.size(); ++i) {
      if (l.inputs[i].empty() || isFixedTypeParameter(l, i)) continue;
      const DataType have = net.tensor(l.inputs[i]).type;
      if (isFloatStorage(have) && have != storage) l.inputs[i] = convert(l.inputs[i], storage);
    }
    retargetTypeAttributes(l, storage);
    // infer this layer's output types now: later layers decide on them
    const auto* schema = registry.find(l.op, l.domain);
    if (schema) {
      std::vector<ops::ValueInfo> infos(l.inputs.size());
      std::vector<const ops::ValueInfo*> ptrs(l.inputs.size(), nullptr);
      for (size_t i = 0; i < l.inputs.size(); ++i) {
        if (l.inputs[i].empty()) continue;
        const Tensor& t = net.tensor(l.inputs[i]);
        infos[i] = ops::ValueInfo{t.type, t.dims, t.data.get()};
        ptrs[i] = &infos[i];
      }
      std::vector<ops::ValueInfo> outs(l.outputs.size());
      ops::InferContext ctx(l, net.opsetOf(l.domain, 1), ptrs, outs);
      schema->infer(ctx);
      for (size_t i = 0; i < l.outputs.size(); ++i) {
        if (!l.outputs[i].empty()) net.tensor(l.outputs[i]).type = outs[i].type;
      }
    }
    out.push_back(std::move(l));
  }
  // Graph outputs keep the type the model declares: the producer writes a
  // renamed tensor and a Cast restores the name and type.
  for (const auto& [name, type] : declared) {
    const Tensor& t = net.tensor(name);
    if (t.data || t.type == type || !isFloatStorage(t.type)) continue;
    const std::string inner = name + "/" + toString(t.type);
    net.putTensor(Tensor{inner, t.type, t.dims, nullptr});
    for (Layer& l : out) {
      for (auto& o : l.outputs) {
        if (o == name) o = inner;
      }
      for (auto& in : l.inputs) {
        if (in == name) in = inner;
      }
    }
    Layer cast;
    cast.name = "reformat/" + name;
    cast.op = "Cast";
    cast.attrs["to"] = Attribute::ofInt(type == DataType::kFloat16 ? 10 : type == DataType::kBFloat16 ? 16 : 1);
    cast.inputs = {inner};
    cast.outputs = {name};
    out.push_back(std::move(cast));
    ++casts;
  }
  net.layers() = std::move(out);
  inferShapes(net);
  return casts;
}

}  // namespace kiln::build
