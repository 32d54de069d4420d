// The build flow: passes → precision → tactic selection by timing → memory
// plan → plan bytes. Every decision lands in the BuildReport.
#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "backend/backend.h"
#include "build/memory_planner.h"
#include "build/shapes.h"
#include "build/timing_cache.h"
#include "kiln/builder.h"
#include "kiln/errors.h"
#include "kiln/plan.h"
#include "kiln/reference.h"
#include "ops/evaluate.h"
#include "ops/op.h"
#include "passes/pass.h"

namespace kiln {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Logging, progress and cancellation of one build.
class BuildSession {
 public:
  explicit BuildSession(const BuilderConfig& c) : config(c) {}

  void log(Logger::Severity s, const std::string& m) const {
    if (config.logger) config.logger->log(s, m);
  }
  void checkCancel() const {
    if (config.cancel && config.cancel->load()) throw Error(ErrorCode::kCancelled, "build cancelled");
  }
  void phase(const std::string& name, int32_t steps) const {
    if (config.progress) config.progress->phaseStart(name, steps);
  }
  void step(const std::string& name, int32_t i) const {
    if (config.progress && !config.progress->stepComplete(name, i)) {
      throw Error(ErrorCode::kCancelled, "build cancelled");
    }
    checkCancel();
  }
  void endPhase(const std::string& name) const {
    if (config.progress) config.progress->phaseFinish(name);
  }

  const BuilderConfig& config;
};

int repeatsFor(int level) {
  static const int kRepeats[] = {0, 3, 3, 5, 7, 11};
  return kRepeats[std::clamp(level, 0, 5)];
}

// How many supported candidates a level times (the rest are skipped, and say so).
size_t candidatesFor(int level) { return level <= 1 ? 2 : SIZE_MAX; }

double timeTactic(const BuildSession& session, const backend::Tactic& tactic, const Layer& layer, int64_t opset,
                  const std::vector<const HostTensor*>& inputs, std::vector<HostTensor>& outputs, int repeats) {
  tactic.run(layer, opset, inputs, outputs);  // warm-up
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    session.checkCancel();
    auto t = Clock::now();
    tactic.run(layer, opset, inputs, outputs);
    times.push_back(msSince(t));
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

std::vector<std::string> precisionWarnings(const BuilderConfig& c) {
  std::vector<std::string> w;
  std::string asked;
  if (c.tf32) asked += " tf32";
  if (c.fp16) asked += " fp16";
  if (c.bf16) asked += " bf16";
  if (c.int8) asked += " int8";
  if (c.fp8) asked += " fp8";
  if (!asked.empty()) w.push_back("the cpu target runs every layer in fp32; ignored:" + asked);
  return w;
}

// Activations in the arena: tensors layers write that are not graph outputs.
std::vector<build::Lifetime> lifetimes(const Network& atMax, std::vector<std::string>* warnings) {
  std::unordered_map<std::string, build::Lifetime> byName;
  const auto& outs = atMax.outputs();
  const auto& layers = atMax.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    for (const auto& o : layers[i].outputs) {
      if (o.empty() || std::find(outs.begin(), outs.end(), o) != outs.end()) continue;
      const Tensor& t = atMax.tensor(o);
      int64_t n = t.dims.numel();
      if (n < 0) {
        warnings->push_back("the size of '" + o + "' depends on data; it is left out of the memory plan");
        n = 0;
      }
      byName[o] = build::Lifetime{o, n * int64_t(elementSize(t.type)), int32_t(i), int32_t(i)};
    }
    for (const auto& in : layers[i].inputs) {
      auto it = byName.find(in);
      if (it != byName.end()) it->second.last = int32_t(i);
    }
  }
  std::vector<build::Lifetime> result;
  for (auto& [name, l] : byName) result.push_back(l);
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.tensor < b.tensor; });
  return result;
}

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

std::string Builder::buildPlan(const Network& source, const BuilderConfig& config, BuildReport* reportOut) const {
  const auto start = Clock::now();
  BuildSession session(config);
  if (config.target == Target::kCuda) {
    throw Error(ErrorCode::kInvalidArgument, "this build of Kiln has no CUDA backend; use the cpu target");
  }
  if (config.optimizationLevel < 0 || config.optimizationLevel > 5) {
    throw Error(ErrorCode::kInvalidArgument, "optimization level must be 0 to 5");
  }
  if (config.workspaceBytes < 0) throw Error(ErrorCode::kInvalidArgument, "workspace limit must not be negative");
  auto missing = unsupportedOps(source);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(ErrorCode::kUnsupportedOp, "unsupported operators: " + list);
  }
  for (const auto& [name, p] : config.layerPrecisions) {
    if (p != Precision::kFP32 && config.constraints == PrecisionConstraints::kObey) {
      throw Error(ErrorCode::kInvalidArgument, "layer '" + name + "': the cpu target cannot obey " +
                                                   std::string(toString(p)) + " (it runs fp32 only)");
    }
  }

  const PlanTarget target = currentTarget(Target::kCpu);
  BuildReport report;
  report.model = source.name;
  report.target = toString(Target::kCpu);
  report.device = target.device;
  report.onnxNodes = int32_t(source.layers().size());
  report.warnings = precisionWarnings(config);

  Network net = source;
  inferShapes(net);
  auto profiles = build::resolveProfiles(net, config.profiles, &report.warnings);
  session.checkCancel();

  report.passes = passes::runPipeline(net, {}, config.progress, config.cancel);
  net.removeUnusedConstants();
  for (const auto& p : report.passes) {
    for (const auto& c : p.changes) session.log(Logger::Severity::kVerbose, p.name + ": " + c.description);
  }

  const Network atOpt = build::inferAt(net, build::optShapes(profiles[0]));
  const Network atMax = build::inferAt(net, build::maxShapes(profiles));

  // Real intermediate values at the opt shapes, so tactics are timed on the
  // data they will see (index and shape inputs included). Synthetic inputs
  // can be invalid for a model (indices out of range); layers then get
  // random inputs of their own, and tactics that fail on them go untimed.
  TensorMap values;
  try {
    values = ReferenceExecutor(atOpt).runKeepingAll(makeRandomInputs(atOpt, build::optShapes(profiles[0]), 1));
  } catch (const Error& e) {
    report.warnings.push_back("the model does not run on synthetic inputs (" + std::string(e.what()) +
                              "); layers are timed on random inputs of their own");
    session.log(Logger::Severity::kWarning, report.warnings.back());
  }
  session.checkCancel();

  build::TimingCache cache(target.device);
  if (std::string w = cache.load(config.timingCachePath); !w.empty()) {
    report.warnings.push_back(w);
    session.log(Logger::Severity::kWarning, w);
  }

  const backend::Backend& be = backend::cpuBackend();
  const auto& registry = ops::OpRegistry::instance();
  const auto& layers = atOpt.layers();
  std::vector<std::string> chosen(layers.size());
  const std::string phaseName = "tactics";
  session.phase(phaseName, int32_t(layers.size()));
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
    const std::string signature = build::layerSignature(layer, inputTypes, info.inputShapes, Precision::kFP32);

    size_t timed = 0;
    double best = -1;
    for (const backend::Tactic* tactic : be.tactics(layer)) {
      TacticCandidate c;
      c.tactic = tactic->name();
      const int64_t workspace = tactic->workspaceBytes(info);
      if (std::string why = tactic->supports(info); !why.empty()) {
        c.skipped = why;
      } else if (workspace > config.workspaceBytes) {
        c.skipped = "needs " + std::to_string(workspace) + " bytes of workspace; the limit is " +
                    std::to_string(config.workspaceBytes);
      } else if (config.optimizationLevel == 0 || !untimable.empty()) {
        if (chosen[li].empty()) chosen[li] = c.tactic, lr.workspaceBytes = workspace;
        else c.skipped = untimable.empty() ? "optimization level 0 takes the first supported tactic" : untimable;
      } else if (timed >= candidatesFor(config.optimizationLevel)) {
        c.skipped = "optimization level " + std::to_string(config.optimizationLevel) + " times fewer candidates";
      } else {
        const std::string key = c.tactic + "|" + signature;
        if (auto hit = cache.find(key)) {
          c.ms = *hit;
          c.fromCache = true;
          ++report.timingCacheHits;
        } else {
          try {
            c.ms = timeTactic(session, *tactic, layer, opset, inputs, outputs, repeatsFor(config.optimizationLevel));
          } catch (const Error& e) {
            if (e.code() == ErrorCode::kCancelled) throw;
            c.skipped = "failed on synthetic data: " + e.message();
            lr.candidates.push_back(c);
            continue;
          }
          cache.put(key, c.ms);
          ++report.timingCacheMisses;
        }
        ++timed;
        if (best < 0 || c.ms < best) {
          best = c.ms;
          chosen[li] = c.tactic;
          lr.workspaceBytes = workspace;
        }
      }
      lr.candidates.push_back(c);
    }
    if (chosen[li].empty()) {
      // Every supported tactic failed on synthetic data: take the first of them.
      for (const auto& c : lr.candidates) {
        if (c.skipped.rfind("failed on synthetic data", 0) == 0) {
          chosen[li] = c.tactic;
          break;
        }
      }
    }
    if (chosen[li].empty()) {
      std::string why;
      for (const auto& c : lr.candidates) why += (why.empty() ? "" : "; ") + c.tactic + ": " + c.skipped;
      throw Error(ErrorCode::kUnsupportedOp, "no tactic can run the layer (" + why + ")",
                  ErrorLocation{{}, layer.name, layer.op, opset});
    }
    lr.tactic = chosen[li];
    lr.ms = best;
    session.log(Logger::Severity::kVerbose, "layer " + layer.name + ": " + lr.tactic +
                                                (best >= 0 ? " (" + std::to_string(best) + " ms)" : ""));
    report.layers.push_back(std::move(lr));
    session.step(phaseName, int32_t(li + 1));
  }
  session.endPhase(phaseName);

  session.phase("memory", 1);
  report.memory = build::planMemory(lifetimes(atMax, &report.warnings));
  report.memory.weightBytes = net.parameterBytes();
  for (const auto& l : report.layers) report.memory.workspaceBytes = std::max(report.memory.workspaceBytes, l.workspaceBytes);
  session.step("memory", 1);
  session.endPhase("memory");

  if (!config.timingCachePath.empty()) cache.save(config.timingCachePath);

  session.phase("serialize", 1);
  PlanContents plan;
  plan.kilnVersion = KILN_VERSION;
  plan.target = target;
  plan.network = std::move(net);
  plan.tactics = chosen;
  plan.tacticState.assign(chosen.size(), std::string());
  plan.profiles = profiles;
  report.buildSeconds = msSince(start) / 1000.0;
  plan.report = report;
  std::string bytes = serializePlan(plan);
  session.step("serialize", 1);
  session.endPhase("serialize");
  session.log(Logger::Severity::kInfo, "built " + std::to_string(report.layers.size()) + " layers from " +
                                           std::to_string(report.onnxNodes) + " nodes in " +
                                           std::to_string(report.buildSeconds) + " s");
  if (reportOut) *reportOut = std::move(report);
  return bytes;
}

}  // namespace kiln
