#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/engine_loading.h"
#include "kiln/builder.h"
#include "kiln/errors.h"
#include "kiln/onnx.h"
#include "kiln/report.h"

namespace kiln::cli {

namespace {

struct BuildArgs {
  std::string model, output, target = "cpu", workspace = "1G", timingCache, reportPath;
  bool fp16 = false, bf16 = false, int8 = false, fp8 = false, tf32 = false, verbose = false;
  int optLevel = 3;
  std::vector<std::string> minShapes, optShapes, maxShapes;
};

// With --verbose, every decision; warnings are printed once, from the report.
class TerminalLogger : public Logger {
 public:
  explicit TerminalLogger(bool verbose) : verbose_(verbose), tty_(isatty(fileno(stderr)) != 0) {}
  void log(Severity s, const std::string& m) override {
    if (!verbose_ || s == Severity::kWarning || s == Severity::kError) return;
    std::fprintf(stderr, "%s%s\n", tty_ ? "\r\033[K" : "", m.c_str());
  }

 private:
  bool verbose_;
  bool tty_;
};

// A one-line progress bar on a terminal; silent when stderr is not one.
class ProgressBar : public ProgressMonitor {
 public:
  ProgressBar() : tty_(isatty(fileno(stderr)) != 0) {}
  void phaseStart(const std::string& phase, int32_t steps) override { steps_ = steps; draw(phase, 0); }
  bool stepComplete(const std::string& phase, int32_t step) override {
    draw(phase, step);
    return true;
  }
  void phaseFinish(const std::string&) override {
    if (tty_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  void draw(const std::string& phase, int32_t step) {
    if (!tty_ || steps_ <= 0) return;
    const int width = 30;
    const int filled = int(double(step) / steps_ * width);
    std::fprintf(stderr, "\r\033[K%-10s [%s%s] %d/%d", phase.c_str(), std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(width - filled), '.').c_str(), step, steps_);
    std::fflush(stderr);
  }
  bool tty_;
  int32_t steps_ = 0;
};

void addShapes(std::vector<OptimizationProfile>& profiles, const std::vector<std::string>& args, int which) {
  if (args.empty()) return;
  if (profiles.empty()) profiles.emplace_back();
  for (const auto& a : args) {
    auto [name, sizes] = parseShapeArg(a);
    ShapeRange& r = profiles[0].inputs[name];
    (which == 0 ? r.min : which == 1 ? r.opt : r.max) = sizes;
  }
}

int buildModel(const BuildArgs& a) {
  BuilderConfig config;
  if (a.target == "cpu") config.target = Target::kCpu;
  else if (a.target == "cuda") config.target = Target::kCuda;
  else throw Error(ErrorCode::kInvalidArgument, "unknown target '" + a.target + "' (cpu or cuda)");
  config.fp16 = a.fp16;
  config.bf16 = a.bf16;
  config.int8 = a.int8;
  config.fp8 = a.fp8;
  config.tf32 = a.tf32;
  config.workspaceBytes = parseBytes(a.workspace);
  config.optimizationLevel = a.optLevel;
  config.timingCachePath = a.timingCache;
  addShapes(config.profiles, a.minShapes, 0);
  addShapes(config.profiles, a.optShapes, 1);
  addShapes(config.profiles, a.maxShapes, 2);
  TerminalLogger logger(a.verbose);
  ProgressBar progress;
  config.logger = &logger;
  config.progress = &progress;

  Network net = importOnnx(a.model);
  BuildReport report;
  std::string plan = Builder().buildPlan(net, config, &report);
  {
    std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
    out.write(plan.data(), std::streamsize(plan.size()));
    if (!out) throw Error(ErrorCode::kIoError, "cannot write " + a.output);
  }
  if (!a.reportPath.empty()) {
    std::ofstream out(a.reportPath, std::ios::trunc);
    out << reportToJson(report) << "\n";
    if (!out) throw Error(ErrorCode::kIoError, "cannot write " + a.reportPath);
  }
  for (const auto& w : report.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("built %s: %zu layers from %d ONNX nodes, %s of weights, activations %s (unshared %s)\n",
              a.output.c_str(), report.layers.size(), report.onnxNodes, formatBytes(report.memory.weightBytes).c_str(),
              formatBytes(report.memory.activationPeakBytes).c_str(), formatBytes(report.memory.activationNaiveBytes).c_str());
  std::printf("build time %.3f s; timing cache %d hits, %d misses\n", report.buildSeconds, report.timingCacheHits,
              report.timingCacheMisses);
  return 0;
}

}  // namespace

Command addBuildCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("build", "Build an optimized plan from an ONNX model");
  auto a = std::make_shared<BuildArgs>();
  cmd->add_option("MODEL", a->model, "An .onnx model")->required();
  cmd->add_option("-o,--output", a->output, "The plan file to write")->required();
  cmd->add_option("--target", a->target, "cpu or cuda")->default_val("cpu");
  cmd->add_flag("--fp16", a->fp16, "Allow FP16 layers");
  cmd->add_flag("--bf16", a->bf16, "Allow BF16 layers");
  cmd->add_flag("--int8", a->int8, "Allow INT8 layers");
  cmd->add_flag("--fp8", a->fp8, "Allow FP8 layers");
  cmd->add_flag("--tf32", a->tf32, "Allow TF32 math for FP32 convolutions and matmuls");
  cmd->add_option("--workspace", a->workspace, "Largest tactic workspace (e.g. 1G, 256M)")->default_val("1G");
  cmd->add_option("--opt-level", a->optLevel, "0: first supported tactic; 1-5: time more candidates")
      ->default_val(3)->check(CLI::Range(0, 5));
  cmd->add_option("--min-shapes", a->minShapes, "NAME=dims: smallest input shapes");
  cmd->add_option("--opt-shapes", a->optShapes, "NAME=dims: shapes to tune for");
  cmd->add_option("--max-shapes", a->maxShapes, "NAME=dims: largest input shapes");
  cmd->add_option("--timing-cache", a->timingCache, "Timing cache file (read and updated)");
  cmd->add_option("--report", a->reportPath, "Write the build report as JSON");
  cmd->add_flag("-v,--verbose", a->verbose, "Log every decision");
  return [a]() { return buildModel(*a); };
}

}  // namespace kiln::cli
