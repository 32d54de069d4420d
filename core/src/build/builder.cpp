// The build flow: passes → precision → tactic selection by timing → memory
// plan → plan bytes. Every decision lands in the BuildReport.
#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>

#include "build/memory_planner.h"
#include "build/precision.h"
#include "build/selection.h"
#include "build/shapes.h"
#include "build/timing_cache.h"
#include "kiln/builder.h"
#include "kiln/errors.h"
#include "kiln/plan.h"
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

void validate(const Network& source, const BuilderConfig& config) {
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
  if (config.target == Target::kCpu) {
    for (const auto& [name, p] : config.layerPrecisions) {
      if (p != Precision::kFP32 && config.constraints == PrecisionConstraints::kObey) {
        throw Error(ErrorCode::kInvalidArgument, "layer '" + name + "': the cpu target cannot obey " +
                                                     std::string(toString(p)) + " (it runs fp32 only)");
      }
    }
  }
#ifndef KILN_HAVE_CUDA
  if (config.target == Target::kCuda) {
    throw Error(ErrorCode::kInvalidArgument, "this build of Kiln has no CUDA backend; use the cpu target");
  }
#endif
}

std::vector<std::string> cpuPrecisionWarnings(const BuilderConfig& c) {
  std::string asked;
  if (c.tf32) asked += " tf32";
  if (c.fp16) asked += " fp16";
  if (c.bf16) asked += " bf16";
  if (c.int8) asked += " int8";
  if (c.fp8) asked += " fp8";
  if (asked.empty()) return {};
  return {"the cpu target runs every layer in fp32; ignored:" + asked};
}

// True for a layer that only renames its input, run as a device copy: its
// output can share the input's bytes (the copy then sees one address and
// does nothing).
bool renamesInput(const Layer& l, const std::string& tactic) {
  static const std::set<std::string> kOps = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"};
  return tactic == "cuda.data.copy" && (l.domain.empty() || l.domain == "ai.onnx") && kOps.count(l.op) &&
         !l.inputs.empty() && l.outputs.size() == 1;
}

// Activations in the arena: tensors layers write that are not graph outputs.
// `tactics` (in layer order) lets renaming layers alias their input.
std::vector<build::Lifetime> lifetimes(const Network& atMax, const std::vector<std::string>& tactics,
                                       std::vector<std::string>* warnings) {
  std::unordered_map<std::string, build::Lifetime> byName;
  const auto& outs = atMax.outputs();
  const auto& layers = atMax.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    for (const auto& in : layers[i].inputs) {
      auto it = byName.find(in);
      if (it == byName.end()) continue;
      it->second.last = int32_t(i);
      if (!it->second.aliasOf.empty()) byName.at(it->second.aliasOf).last = int32_t(i);
    }
    for (const auto& o : layers[i].outputs) {
      if (o.empty() || std::find(outs.begin(), outs.end(), o) != outs.end()) continue;
      const Tensor& t = atMax.tensor(o);
      int64_t n = t.dims.numel();
      if (n < 0) {
        warnings->push_back("the size of '" + o + "' depends on data; it is left out of the memory plan");
        n = 0;
      }
      build::Lifetime life{o, n * int64_t(elementSize(t.type)), int32_t(i), int32_t(i), {}};
      if (i < tactics.size() && renamesInput(layers[i], tactics[i]) && n > 0) {
        auto src = byName.find(layers[i].inputs[0]);
        if (src != byName.end() && src->second.bytes == life.bytes) {
          life.aliasOf = src->second.aliasOf.empty() ? src->first : src->second.aliasOf;
        }
      }
      byName[o] = life;
    }
  }
  std::vector<build::Lifetime> result;
  for (auto& [name, l] : byName) result.push_back(l);
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) { return a.tensor < b.tensor; });
  return result;
}

}  // namespace

std::string Builder::buildPlan(const Network& source, const BuilderConfig& config, BuildReport* reportOut) const {
  const auto start = Clock::now();
  BuildSession session(config);
  validate(source, config);
  const PlanTarget target = currentTarget(config.target);

  BuildReport report;
  report.model = source.name;
  report.target = toString(config.target);
  report.device = target.device;
  report.onnxNodes = int32_t(source.layers().size());
  if (config.target == Target::kCpu) report.warnings = cpuPrecisionWarnings(config);

  Network net = source;
  inferShapes(net);
  auto profiles = build::resolveProfiles(net, config.profiles, &report.warnings);
  session.checkCancel();

  passes::PipelineOptions pipeline;
  // Tensor-core convolutions read NHWC. FP16 only for now: BF16 and TF32
  // builds keep NCHW until their channels-last tactics have run on a GPU.
  pipeline.channelsLast = config.target == Target::kCuda && config.fp16;
  // The fused attention kernel, the only tactic that reads the heads' layouts,
  // is FP16 only: per-layer precisions could put an attention layer elsewhere.
  pipeline.attentionLayouts = pipeline.channelsLast && config.layerPrecisions.empty();
  report.passes = passes::runPipeline(net, pipeline, config.progress, config.cancel);
  net.removeUnusedConstants();
  for (const auto& p : report.passes) {
    for (const auto& c : p.changes) session.log(Logger::Severity::kVerbose, p.name + ": " + c.description);
  }

  std::map<std::string, Precision> precisions;
  if (config.target == Target::kCuda) {
    precisions = build::choosePrecisions(net, config, &report.warnings);
    if (int casts = build::applyPrecisions(net, precisions)) {
      session.log(Logger::Severity::kVerbose, "inserted " + std::to_string(casts) + " reformat layers");
    }
  }

  const build::InputValues values = build::shapeValuesOf(net, profiles[0]);
  const Network atOpt = build::inferAt(net, build::optShapes(profiles[0]), values);
  const Network atMax = build::inferAt(net, build::maxShapes(profiles), values);

  build::TimingCache cache(target.device);
  if (std::string w = cache.load(config.timingCachePath); !w.empty()) {
    report.warnings.push_back(w);
    session.log(Logger::Severity::kWarning, w);
  }
  build::SelectionContext ctx{config, cache, report, [&] { session.checkCancel(); },
                              [&](const std::string& m) { session.log(Logger::Severity::kVerbose, m); }};
  const std::string tacticsPhase = "tactics";
  session.phase(tacticsPhase, int32_t(atOpt.layers().size()));
  auto step = [&](int32_t i) { session.step(tacticsPhase, i); };
  build::Selection selection;
  if (config.target == Target::kCpu) {
    selection = build::selectCpuTactics(atOpt, build::optShapes(profiles[0]), ctx, step);
  } else {
#ifdef KILN_HAVE_CUDA
    selection = build::selectCudaTactics(atOpt, precisions, ctx, step);
#endif
  }
  session.endPhase(tacticsPhase);

  session.phase("memory", 1);
  report.memory = build::planMemory(lifetimes(atMax, selection.tactics, &report.warnings));
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
  plan.tactics = std::move(selection.tactics);
  plan.tacticState = std::move(selection.states);
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
