#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/engine_loading.h"
#include "kiln/errors.h"
#include "kiln/runtime.h"

namespace kiln::cli {

namespace {

struct BenchArgs {
  std::string path, jsonPath;
  int64_t iterations = 0;
  double duration = 3.0, warmup = 0.5;
  bool profile = false;
  bool resident = false;
  bool cudaGraph = false;
  std::vector<std::string> shapes;
};

// Sums per-layer times over the runs of a benchmark.
class LayerTimes : public Profiler {
 public:
  void reportLayerTime(const std::string& layer, const std::string& type, double ms) override {
    auto& e = byLayer_[layer];
    if (e.runs == 0) order_.push_back(layer);
    e.type = type;
    e.ms += ms;
    ++e.runs;
  }
  struct Entry {
    std::string type;
    double ms = 0;
    int64_t runs = 0;
  };
  const std::map<std::string, Entry>& byLayer() const { return byLayer_; }

 private:
  std::map<std::string, Entry> byLayer_;
  std::vector<std::string> order_;
};

double percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = p / 100.0 * double(sorted.size() - 1);
  const size_t lo = size_t(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - double(lo));
}

int bench(const BenchArgs& a) {
  if (a.iterations < 0 || a.duration <= 0 || a.warmup < 0) {
    throw Error(ErrorCode::kInvalidArgument, "iterations, duration and warm-up must be positive");
  }
  auto engine = loadOrBuildEngine(a.path);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& name : engine->inputNames()) shapes[name] = engine->profileShapes(name, 0).opt;
  for (const auto& s : a.shapes) {
    auto [name, sizes] = parseShapeArg(s);
    if (!shapes.count(name)) throw Error(ErrorCode::kInvalidArgument, "--shapes names '" + name + "', which is not an input");
    shapes[name] = sizes;
  }
  TensorMap inputs;
  {
    Network ioOnly;
    for (const auto& name : engine->inputNames()) ioOnly.addInput(name, engine->tensorType(name), Dims::of(shapes[name]));
    inputs = makeRandomInputs(ioOnly, shapes, 0);
  }
  auto context = engine->createExecutionContext();
  context->setCudaGraph(a.cudaGraph);
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  const auto warmStart = Clock::now();
  do {
    context->execute(inputs);
  } while (seconds(Clock::now() - warmStart) < a.warmup);
  auto runOnce = [&] {
    if (a.resident) context->executeResident();
    else context->execute(inputs);
  };

  LayerTimes layerTimes;
  if (a.profile) context->setProfiler(&layerTimes);
  std::vector<double> latencies;
  ExecuteTimings sum;
  const auto start = Clock::now();
  while (a.iterations > 0 ? int64_t(latencies.size()) < a.iterations : seconds(Clock::now() - start) < a.duration) {
    const auto t = Clock::now();
    runOnce();
    latencies.push_back(seconds(Clock::now() - t) * 1000.0);
    const ExecuteTimings e = context->lastTimings();
    sum.hostToDeviceMs += e.hostToDeviceMs;
    sum.computeMs += e.computeMs;
    sum.deviceToHostMs += e.deviceToHostMs;
    sum.enqueueMs += e.enqueueMs;
  }
  const double total = seconds(Clock::now() - start);
  std::vector<double> sorted = latencies;
  std::sort(sorted.begin(), sorted.end());
  double mean = 0;
  for (double l : latencies) mean += l;
  mean /= double(latencies.size());
  const int64_t batch = engine->inputNames().empty() || shapes[engine->inputNames()[0]].empty()
                            ? 1 : shapes[engine->inputNames()[0]][0];
  const double throughput = double(latencies.size()) / total;

  std::printf("%s on %s: %zu runs in %.2f s\n", a.path.c_str(), toString(engine->target()), latencies.size(), total);
  std::printf("throughput  %.2f inferences/s (%.2f items/s at batch %lld)\n", throughput, throughput * double(batch),
              static_cast<long long>(batch));
  std::printf("latency ms  min %.4f  mean %.4f  median %.4f  p90 %.4f  p95 %.4f  p99 %.4f\n", sorted.front(), mean,
              percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 95), percentile(sorted, 99));
  const double runs = double(latencies.size());
  const double h2d = sum.hostToDeviceMs / runs, compute = sum.computeMs / runs, d2h = sum.deviceToHostMs / runs,
               enqueue = sum.enqueueMs / runs;
  std::printf("mean ms     host-to-device %.4f  compute %.4f  device-to-host %.4f  enqueue (host) %.4f%s%s\n", h2d,
              compute, d2h, enqueue, a.resident ? "  [device-resident inputs]" : "", a.cudaGraph ? "  [CUDA graph]" : "");
  if (engine->target() == Target::kCuda && enqueue >= 0.8 * compute) {
    std::printf("warning: enqueue-bound: the host spends %.4f ms enqueueing %.4f ms of GPU work%s\n", enqueue, compute,
                a.cudaGraph ? "" : "; try --cuda-graph");
  }

  nlohmann::json j;
  j["path"] = a.path;
  j["target"] = toString(engine->target());
  j["runs"] = latencies.size();
  j["batch"] = batch;
  j["throughput_per_s"] = throughput;
  j["mean_ms"] = {{"host_to_device", h2d}, {"compute", compute}, {"device_to_host", d2h}, {"enqueue", enqueue}};
  j["resident_inputs"] = a.resident;
  j["cuda_graph"] = a.cudaGraph;
  j["latency_ms"] = {{"min", sorted.front()}, {"mean", mean}, {"median", percentile(sorted, 50)},
                     {"p90", percentile(sorted, 90)}, {"p95", percentile(sorted, 95)}, {"p99", percentile(sorted, 99)},
                     {"max", sorted.back()}};
  if (a.profile) {
    struct Row {
      std::string name, type;
      double ms;
    };
    std::vector<Row> rows;
    double sum = 0;
    std::map<std::string, double> byType;
    for (const auto& [name, e] : layerTimes.byLayer()) {
      const double ms = e.ms / double(e.runs);
      rows.push_back({name, e.type, ms});
      byType[e.type] += ms;
      sum += ms;
    }
    std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.ms > y.ms; });
    std::printf("\n%10s %7s  %-20s %s\n", "time ms", "share", "type", "layer");
    for (const auto& r : rows) {
      std::printf("%10.4f %6.1f%%  %-20s %s\n", r.ms, sum > 0 ? 100.0 * r.ms / sum : 0.0, r.type.c_str(), r.name.c_str());
      j["layers"].push_back({{"name", r.name}, {"type", r.type}, {"ms", r.ms}, {"share", sum > 0 ? r.ms / sum : 0.0}});
    }
    std::vector<std::pair<std::string, double>> types(byType.begin(), byType.end());
    std::sort(types.begin(), types.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    std::printf("\n%10s %7s  %s\n", "time ms", "share", "layer type");
    for (const auto& [type, ms] : types) {
      std::printf("%10.4f %6.1f%%  %s\n", ms, sum > 0 ? 100.0 * ms / sum : 0.0, type.c_str());
      j["by_type"][type] = ms;
    }
  }
  if (!a.jsonPath.empty()) {
    std::ofstream out(a.jsonPath, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) throw Error(ErrorCode::kIoError, "cannot write " + a.jsonPath);
  }
  return 0;
}

}  // namespace

Command addBenchCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Measure throughput and latency of a plan (or of a model, built on the fly)");
  auto a = std::make_shared<BenchArgs>();
  cmd->add_option("PATH", a->path, "A .plan or an .onnx model")->required();
  auto* iters = cmd->add_option("--iterations", a->iterations, "Number of timed runs");
  cmd->add_option("--duration", a->duration, "Seconds of timed runs")->default_val(3.0)->excludes(iters);
  cmd->add_option("--warmup", a->warmup, "Seconds of warm-up runs")->default_val(0.5);
  cmd->add_flag("--profile", a->profile, "Print per-layer times and time by layer type");
  cmd->add_flag("--resident", a->resident, "Keep inputs on the device between runs (no copies)");
  cmd->add_flag("--cuda-graph", a->cudaGraph, "Capture the layers into a CUDA graph and replay it (cuda)");
  cmd->add_option("--shapes", a->shapes, "NAME=dims: input shapes (default: the profile's opt shapes)");
  cmd->add_option("--json", a->jsonPath, "Write the results as JSON");
  return [a]() { return bench(*a); };
}

}  // namespace kiln::cli
