#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/engine_loading.h"
#include "kiln/report.h"
#include "kiln/runtime.h"
#include "kiln/onnx.h"
#include "kiln/summary.h"

namespace kiln::cli {

namespace {

nlohmann::json tensorJson(const Tensor& t) {
  nlohmann::json dims = nlohmann::json::array();
  if (t.dims.rankKnown) {
    for (const auto& d : t.dims.d) {
      if (d.known()) dims.push_back(d.value);
      else dims.push_back(d.symbol.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.symbol));
    }
  }
  return {{"name", t.name}, {"type", toString(t.type)}, {"shape", t.dims.rankKnown ? dims : nlohmann::json(nullptr)}};
}

int inspectModel(const std::string& path, bool json) {
  OnnxImportOptions opt;
  opt.rejectUnsupported = false;  // inspect lists them instead
  OnnxModelInfo info;
  Network net = importOnnx(path, opt, &info);
  NetworkSummary s = summarize(net);
  if (json) {
    nlohmann::json j;
    j["file"] = path;
    j["ir_version"] = info.irVersion;
    j["producer"] = info.producer;
    j["opsets"] = net.opsets;
    for (const auto& n : net.inputs()) j["inputs"].push_back(tensorJson(net.tensor(n)));
    for (const auto& n : net.outputs()) j["outputs"].push_back(tensorJson(net.tensor(n)));
    j["layers"] = s.layerCount;
    j["op_histogram"] = s.opHistogram;
    j["parameters"] = s.parameterCount;
    j["parameter_bytes"] = s.parameterBytes;
    j["flops"] = s.flops;
    j["flops_complete"] = s.flopsComplete;
    j["unsupported_ops"] = s.unsupportedOps;
    j["warnings"] = info.warnings;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("model      %s\n", path.c_str());
  std::printf("producer   %s, IR %lld\n", info.producer.empty() ? "(unknown)" : info.producer.c_str(),
              static_cast<long long>(info.irVersion));
  std::string opsets;
  for (const auto& [d, v] : net.opsets) opsets += (opsets.empty() ? "" : ", ") + (d.empty() ? "ai.onnx" : d) + " " + std::to_string(v);
  std::printf("opsets     %s\n", opsets.c_str());
  std::printf("\ninputs\n");
  for (const auto& n : net.inputs()) {
    const Tensor& t = net.tensor(n);
    std::printf("  %-32s %-5s %s\n", n.c_str(), toString(t.type), t.dims.str().c_str());
  }
  std::printf("outputs\n");
  for (const auto& n : net.outputs()) {
    const Tensor& t = net.tensor(n);
    std::printf("  %-32s %-5s %s\n", n.c_str(), toString(t.type), t.dims.str().c_str());
  }
  std::printf("\nlayers     %lld\n", static_cast<long long>(s.layerCount));
  std::printf("parameters %lld (%s)\n", static_cast<long long>(s.parameterCount), formatBytes(s.parameterBytes).c_str());
  std::printf("compute    %s%s\n", formatFlops(s.flops).c_str(), s.flopsComplete ? "" : " (shapes partly unknown: a lower bound)");
  std::printf("\nops\n");
  for (const auto& [op, count] : s.opHistogram) std::printf("  %-24s %lld\n", op.c_str(), static_cast<long long>(count));
  if (!s.unsupportedOps.empty()) {
    std::printf("\nunsupported ops\n");
    for (const auto& op : s.unsupportedOps) std::printf("  %s\n", op.c_str());
  }
  for (const auto& w : info.warnings) std::printf("note: %s\n", w.c_str());
  return 0;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

int inspectPlan(const std::string& path, bool json) {
  auto engine = Runtime::loadFile(path);
  const BuildReport& r = engine->report();
  if (json) {
    std::cout << reportToJson(r) << "\n";
    return 0;
  }
  std::printf("plan       %s\n", path.c_str());
  std::printf("target     %s (%s)\n", r.target.c_str(), r.device.c_str());
  std::printf("model      %s: %d ONNX nodes -> %zu layers\n", r.model.c_str(), r.onnxNodes, r.layers.size());
  for (const auto& n : engine->inputNames()) {
    std::printf("input      %-24s %-5s %s\n", n.c_str(), toString(engine->tensorType(n)), engine->tensorShape(n).str().c_str());
  }
  for (const auto& n : engine->outputNames()) {
    std::printf("output     %-24s %-5s %s\n", n.c_str(), toString(engine->tensorType(n)), engine->tensorShape(n).str().c_str());
  }
  std::printf("memory     weights %s, activations %s (unshared %s), workspace %s\n\n",
              formatBytes(r.memory.weightBytes).c_str(), formatBytes(r.memory.activationPeakBytes).c_str(),
              formatBytes(r.memory.activationNaiveBytes).c_str(), formatBytes(r.memory.workspaceBytes).c_str());
  std::printf("%-28s %-18s %-6s %-24s %10s  %s\n", "layer", "type", "prec", "tactic", "ms", "origin");
  for (const auto& l : r.layers) {
    std::printf("%-28s %-18s %-6s %-24s %10.4f  %s\n", l.name.c_str(), l.type.c_str(), l.precision.c_str(),
                l.tactic.c_str(), l.ms, joined(l.origin).c_str());
  }
  std::printf("\npasses\n");
  for (const auto& p : r.passes) {
    if (!p.changes.empty()) std::printf("  %-22s %zu changes\n", p.name.c_str(), p.changes.size());
  }
  return 0;
}

}  // namespace

Command addInspectCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "Show a model (I/O, opsets, ops, parameters, compute) or a plan (its layers and tactics)");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("PATH", *path, "An .onnx model or a .plan")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  return [path, json]() { return isPlanFile(*path) ? inspectPlan(*path, *json) : inspectModel(*path, *json); };
}

}  // namespace kiln::cli
