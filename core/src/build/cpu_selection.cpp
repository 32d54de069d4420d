#include <optional>

#include "backend/backend.h"
#include "build/selection.h"
#include "kiln/errors.h"
#include "kiln/reference.h"
#include "ops/evaluate.h"
#include "ops/op.h"

namespace kiln::build {

namespace {

// Random inputs of the layer's opt shapes for inputs that have no value yet
// and are not constants (nullopt elsewhere, and where the shape is unknown).
std::vector<std::optional<HostTensor>> syntheticInputs(const Network& atOpt, const Layer& layer, const TensorMap& values) {
  std::vector<std::optional<HostTensor>> result(layer.inputs.size());
  for (size_t i = 0; i < layer.inputs.size(); ++i) {
    const std::string& in = layer.inputs[i];
    if (in.empty() || values.count(in)) continue;
    const Tensor& t = atOpt.tensor(in);
    auto sizes = t.dims.sizes();
    if (t.data || !sizes) continue;
    Network one;
    one.addInput(in, t.type, t.dims);
    result[i] = std::move(makeRandomInputs(one, {}, 7 + i).at(in));
  }
  return result;
}

std::vector<std::string> shapesOf(const Network& net, const std::vector<std::string>& names) {
  std::vector<std::string> s;
  for (const auto& n : names) s.push_back(n.empty() ? "" : net.tensor(n).dims.str());
  return s;
}

}  // namespace

Selection selectCpuTactics(const Network& atOpt, const std::map<std::string, std::vector<int64_t>>& optShapes,
                           SelectionContext& ctx, const std::function<void(int32_t)>& step) {
  // Real intermediate values at the opt shapes, so tactics are timed on the
  // data they will see (index and shape inputs included). Synthetic inputs
  // can be invalid for a model (indices out of range); layers then get
  // random inputs of their own, and tactics that fail on them go untimed.
  TensorMap values;
  try {
    values = ReferenceExecutor(atOpt).runKeepingAll(makeRandomInputs(atOpt, optShapes, 1));
  } catch (const Error& e) {
    ctx.report.warnings.push_back("the model does not run on synthetic inputs (" + std::string(e.what()) +
                                  "); layers are timed on random inputs of their own");
  }
  ctx.checkCancel();

  const backend::Backend& be = backend::cpuBackend();
  const auto& registry = ops::OpRegistry::instance();
  const auto& layers = atOpt.layers();
  Selection sel;
  for (size_t li = 0; li < layers.size(); ++li) {
    const Layer& layer = layers[li];
    const int64_t opset = atOpt.opsetOf(layer.domain, 1);
    LayerReport lr;
    lr.name = layer.name;
    lr.type = layer.domain.empty() ? layer.op : layer.domain + ":" + layer.op;
    lr.origin = layer.origin;
    lr.precision = toString(Precision::kFP32);
    lr.inputShapes = shapesOf(atOpt, layer.inputs);
    lr.outputShapes = shapesOf(atOpt, layer.outputs);

    backend::LayerInfo info;
    info.layer = &layer;
    info.opset = opset;
    std::vector<const HostTensor*> inputs;
    std::vector<std::string> inputTypes;
    std::vector<std::optional<HostTensor>> synthetic = syntheticInputs(atOpt, layer, values);
    for (size_t i = 0; i < layer.inputs.size(); ++i) {
      const std::string& in = layer.inputs[i];
      info.inputs.push_back(in.empty() ? nullptr : &atOpt.tensor(in));
      auto v = in.empty() ? values.end() : values.find(in);
      const HostTensor* value = nullptr;
      if (v != values.end()) value = &v->second;
      else if (synthetic[i]) value = &*synthetic[i];
      else if (!in.empty()) value = atOpt.tensor(in).data.get();
      inputs.push_back(value);
      info.inputShapes.push_back(value ? value->shape() : std::vector<int64_t>{});
      inputTypes.push_back(value ? toString(value->type()) : "");
    }
    // Without concrete inputs (shapes that depend on data) nothing can be timed.
    std::string untimable;
    std::vector<HostTensor> outputs;
    try {
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (!layer.inputs[i].empty() && !inputs[i]) throw Error(ErrorCode::kShapeMismatch, "its input shapes depend on data");
      }
      outputs = ops::allocateOutputs(*registry.find(layer.op, layer.domain), layer, opset, inputs);
    } catch (const Error& e) {
      untimable = "not timed: " + e.message();
    }
    for (const auto& o : outputs) info.outputShapes.push_back(o.shape());

    std::vector<Candidate> candidates;
    for (const backend::Tactic* tactic : be.tactics(layer)) {
      Candidate c;
      c.name = tactic->name();
      c.unsupported = tactic->supports(info);
      c.workspace = tactic->workspaceBytes(info);
      c.time = [&, tactic] {
        return medianHostTime([&] { tactic->run(layer, opset, inputs, outputs); },
                              repeatsFor(ctx.config.optimizationLevel), ctx.checkCancel);
      };
      candidates.push_back(std::move(c));
    }
    chooseTactic(candidates, layerSignature(layer, inputTypes, info.inputShapes, Precision::kFP32), untimable, ctx, lr);
    sel.tactics.push_back(lr.tactic);
    sel.states.emplace_back();
    ctx.report.layers.push_back(std::move(lr));
    step(int32_t(li + 1));
  }
  return sel;
}

}  // namespace kiln::build
