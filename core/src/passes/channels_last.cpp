#include "passes/channels_last.h"

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "ops/common.h"
#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

using ops::kToChannelsFirst;
using ops::kToChannelsLast;

bool convertible(const Network& net, const Layer& l) {
  if (!(isOp(l, "Conv") || isOp(l, "kiln:ConvAct")) || attrInt(l, "channels_last", 0) != 0) return false;
  if (l.inputs.size() < 2 || l.inputs[0].empty() || l.outputs.size() != 1) return false;
  const Tensor& x = net.tensor(l.inputs[0]);
  const HostTensor* w = constantOf(net, l.inputs[1]);
  const bool floating = x.type == DataType::kFloat32 || x.type == DataType::kFloat16 || x.type == DataType::kBFloat16;
  return floating && x.dims.rankKnown && x.dims.rank() == 4 && w && w->rank() == 4;
}

Layer transposeLayer(const std::string& name, const std::string& in, const std::string& out,
                     const std::vector<int64_t>& perm, const std::vector<std::string>& origin) {
  Layer t;
  t.name = name;
  t.op = "Transpose";
  t.attrs["perm"] = Attribute::ofInts(perm);
  t.inputs = {in};
  t.outputs = {out};
  t.origin = origin;
  return t;
}

// A 2-D MaxPool or AveragePool that cuDNN's NHWC pooling runs as it is:
// symmetric padding, no dilation, no ceil mode.
bool poolConvertible(const Layer& l) {
  if (!(isOp(l, "MaxPool") || isOp(l, "AveragePool")) || l.outputs.size() != 1) return false;
  const auto kernel = attrInts(l, "kernel_shape");
  const auto dil = attrInts(l, "dilations");
  const auto pads = attrInts(l, "pads");
  const std::string pad = attrString(l, "auto_pad", "NOTSET");
  const bool symmetric = !pads || (pads->size() == 4 && (*pads)[0] == (*pads)[2] && (*pads)[1] == (*pads)[3]);
  return kernel && kernel->size() == 2 && attrInt(l, "ceil_mode", 0) == 0 && attrInt(l, "storage_order", 0) == 0 &&
         (!dil || *dil == std::vector<int64_t>{1, 1}) && (pad == "NOTSET" || pad == "VALID") && symmetric;
}

// The kernel of a ReduceMean over H and W of a 4-D tensor with static H and W
// that keeps its dims: that is an AveragePool of the whole plane.
std::optional<std::vector<int64_t>> meanOfPlane(const Network& net, const Layer& l) {
  if (!isOp(l, "ReduceMean") || attrInt(l, "keepdims", 1) != 1 || l.outputs.size() != 1) return std::nullopt;
  const Dims& d = net.tensor(l.inputs[0]).dims;
  auto axes = reduceAxes(net, l);
  if (!axes || *axes != std::vector<int64_t>{2, 3} || !d.rankKnown || d.rank() != 4 || !d[2].known() ||
      !d[3].known()) {
    return std::nullopt;
  }
  return std::vector<int64_t>{d[2].value, d[3].value};
}

}  // namespace

std::vector<PassChange> ChannelsLast::run(Network& net) {
  std::vector<PassChange> changes;
  std::vector<Layer> out;
  std::unordered_set<std::string> names;
  for (const Layer& l : net.layers()) names.insert(l.name);
  auto layerName = [&](const std::string& base) {
    std::string n = base;
    for (int i = 2; names.count(n); ++i) n = base + "_" + std::to_string(i);
    names.insert(n);
    return n;
  };
  std::unordered_map<std::string, std::string> nhwcOf;  // an NCHW tensor -> the NHWC tensor holding its values
  // The NHWC form of tensor `name`: the input of the Transpose back that made
  // it (so the pair cancels), an earlier Transpose to NHWC, or a new one.
  auto nhwc = [&](const std::string& name, const std::vector<std::string>& origin) {
    if (auto it = nhwcOf.find(name); it != nhwcOf.end()) return it->second;
    const std::string t = freshTensorName(net, name + "_nhwc");
    net.putTensor(Tensor{t, net.tensor(name).type, Dims::unknownRank(), nullptr});
    out.push_back(transposeLayer(layerName("to_nhwc/" + name), name, t, kToChannelsLast, origin));
    nhwcOf[name] = t;
    return t;
  };
  std::unordered_set<std::string> backFromNhwc;  // NCHW tensors that a Transpose back made
  // Layer `c` (already channels-last, reading NHWC) writes the NHWC form of
  // its output, which a Transpose back turns into the name the readers know.
  auto emit = [&](Layer c, const std::string& what) {
    const std::string y = c.outputs[0];
    const std::string yLast = freshTensorName(net, y + "_nhwc");
    net.putTensor(Tensor{yLast, net.tensor(y).type, Dims::unknownRank(), nullptr});
    c.outputs[0] = yLast;
    changes.push_back(PassChange{"ran " + what + " '" + c.name + "' channels-last", {}, c.name});
    const std::vector<std::string> origin = c.origin;
    out.push_back(std::move(c));
    out.push_back(transposeLayer(layerName("to_nchw/" + y), yLast, y, kToChannelsFirst, origin));
    nhwcOf[y] = yLast;
    backFromNhwc.insert(y);
  };
  for (Layer& l : net.layers()) {
    // Pools and plane means run channels-last only where their input already is.
    const bool afterNhwc = !l.inputs.empty() && backFromNhwc.count(l.inputs[0]);
    if (afterNhwc && poolConvertible(l)) {
      Layer p = std::move(l);
      p.domain = kKilnDomain;
      p.attrs["channels_last"] = Attribute::ofInt(1);
      p.inputs[0] = nhwcOf.at(p.inputs[0]);
      emit(std::move(p), "pool");
      continue;
    }
    if (auto kernel = afterNhwc ? meanOfPlane(net, l) : std::nullopt) {
      Layer p;
      p.name = l.name;
      p.op = "AveragePool";
      p.domain = kKilnDomain;
      p.attrs["kernel_shape"] = Attribute::ofInts(*kernel);
      p.attrs["channels_last"] = Attribute::ofInt(1);
      p.inputs = {nhwcOf.at(l.inputs[0])};
      p.outputs = l.outputs;
      p.origin = l.origin;
      emit(std::move(p), "mean");
      continue;
    }
    if (!convertible(net, l)) {
      out.push_back(std::move(l));
      continue;
    }
    Layer c = std::move(l);
    c.op = "ConvAct";
    c.domain = kKilnDomain;
    c.attrs["channels_last"] = Attribute::ofInt(1);
    c.inputs[0] = nhwc(c.inputs[0], c.origin);
    const std::string w = freshTensorName(net, c.inputs[1] + "_krsc");
    net.addConstant(w, ops::permuteTensor(*constantOf(net, c.inputs[1]), kToChannelsLast));
    c.inputs[1] = w;
    if (c.inputs.size() > 3 && !c.inputs[3].empty()) c.inputs[3] = nhwc(c.inputs[3], c.origin);
    emit(std::move(c), "convolution");
  }
  net.layers() = std::move(out);
  return changes;
}

}  // namespace kiln::passes
