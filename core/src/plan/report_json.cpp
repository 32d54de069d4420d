// The BuildReport as JSON, for `kiln inspect`, `--report` and the plan file.
#include <limits>

#include <nlohmann/json.hpp>

#include "kiln/errors.h"
#include "kiln/report.h"

namespace kiln {

namespace {
using nlohmann::json;

json toJson(const PassRecord& p) {
  json changes = json::array();
  for (const auto& c : p.changes) {
    changes.push_back({{"description", c.description}, {"removed", c.removed}, {"result", c.result}});
  }
  return {{"name", p.name}, {"ms", p.ms}, {"changes", std::move(changes)}};
}

json toJson(const LayerReport& l) {
  json candidates = json::array();
  for (const auto& c : l.candidates) {
    candidates.push_back({{"tactic", c.tactic}, {"ms", c.ms}, {"skipped", c.skipped}, {"from_cache", c.fromCache}});
  }
  return {{"name", l.name},
          {"type", l.type},
          {"origin", l.origin},
          {"precision", l.precision},
          {"input_shapes", l.inputShapes},
          {"output_shapes", l.outputShapes},
          {"tactic", l.tactic},
          {"ms", l.ms},
          {"workspace_bytes", l.workspaceBytes},
          {"candidates", std::move(candidates)}};
}

json toJson(const MemoryReport& m) {
  json buffers = json::array();
  for (const auto& b : m.buffers) {
    buffers.push_back({{"tensor", b.tensor},
                       {"offset", b.offset},
                       {"bytes", b.bytes},
                       {"first_layer", b.firstLayer},
                       {"last_layer", b.lastLayer}});
  }
  return {{"weight_bytes", m.weightBytes},
          {"activation_peak_bytes", m.activationPeakBytes},
          {"activation_naive_bytes", m.activationNaiveBytes},
          {"workspace_bytes", m.workspaceBytes},
          {"buffers", std::move(buffers)}};
}

// Reads `key` into `out` when present; a value of the wrong type throws
// nlohmann's type_error, which reportFromJson turns into an Error. Missing
// keys keep their defaults so reports from older builds still load.
template <class T>
void read(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end()) it->get_to(out);
}

// Times are NaN when a measurement failed; JSON writes those as null.
void readMs(const json& j, const char* key, double& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  out = it->is_null() ? std::numeric_limits<double>::quiet_NaN() : it->get<double>();
}

const json& requireObject(const json& j, const char* what) {
  if (!j.is_object()) throw Error(ErrorCode::kInvalidArgument, std::string("build report: ") + what + " is not an object");
  return j;
}

template <class T, class F>
void readArray(const json& j, const char* key, std::vector<T>& out, F readOne) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (!it->is_array()) throw Error(ErrorCode::kInvalidArgument, std::string("build report: '") + key + "' is not an array");
  out.clear();
  for (const auto& e : *it) {
    T item;
    readOne(requireObject(e, key), item);
    out.push_back(std::move(item));
  }
}

BuildReport fromJson(const json& j) {
  requireObject(j, "the document");
  BuildReport r;
  read(j, "model", r.model);
  read(j, "target", r.target);
  read(j, "device", r.device);
  read(j, "onnx_nodes", r.onnxNodes);
  read(j, "build_seconds", r.buildSeconds);
  read(j, "timing_cache_hits", r.timingCacheHits);
  read(j, "timing_cache_misses", r.timingCacheMisses);
  read(j, "warnings", r.warnings);
  readArray(j, "passes", r.passes, [](const json& e, PassRecord& p) {
    read(e, "name", p.name);
    readMs(e, "ms", p.ms);
    readArray(e, "changes", p.changes, [](const json& c, PassChange& pc) {
      read(c, "description", pc.description);
      read(c, "removed", pc.removed);
      read(c, "result", pc.result);
    });
  });
  readArray(j, "layers", r.layers, [](const json& e, LayerReport& l) {
    read(e, "name", l.name);
    read(e, "type", l.type);
    read(e, "origin", l.origin);
    read(e, "precision", l.precision);
    read(e, "input_shapes", l.inputShapes);
    read(e, "output_shapes", l.outputShapes);
    read(e, "tactic", l.tactic);
    readMs(e, "ms", l.ms);
    read(e, "workspace_bytes", l.workspaceBytes);
    readArray(e, "candidates", l.candidates, [](const json& c, TacticCandidate& tc) {
      read(c, "tactic", tc.tactic);
      readMs(c, "ms", tc.ms);
      read(c, "skipped", tc.skipped);
      read(c, "from_cache", tc.fromCache);
    });
  });
  if (auto it = j.find("memory"); it != j.end()) {
    const json& m = requireObject(*it, "'memory'");
    read(m, "weight_bytes", r.memory.weightBytes);
    read(m, "activation_peak_bytes", r.memory.activationPeakBytes);
    read(m, "activation_naive_bytes", r.memory.activationNaiveBytes);
    read(m, "workspace_bytes", r.memory.workspaceBytes);
    readArray(m, "buffers", r.memory.buffers, [](const json& b, BufferAssignment& ba) {
      read(b, "tensor", ba.tensor);
      read(b, "offset", ba.offset);
      read(b, "bytes", ba.bytes);
      read(b, "first_layer", ba.firstLayer);
      read(b, "last_layer", ba.lastLayer);
    });
  }
  return r;
}
}  // namespace

std::string reportToJson(const BuildReport& report, int indent) {
  json passes = json::array();
  for (const auto& p : report.passes) passes.push_back(toJson(p));
  json layers = json::array();
  for (const auto& l : report.layers) layers.push_back(toJson(l));
  json j = {{"model", report.model},
            {"target", report.target},
            {"device", report.device},
            {"onnx_nodes", report.onnxNodes},
            {"build_seconds", report.buildSeconds},
            {"timing_cache_hits", report.timingCacheHits},
            {"timing_cache_misses", report.timingCacheMisses},
            {"warnings", report.warnings},
            {"passes", std::move(passes)},
            {"layers", std::move(layers)},
            {"memory", toJson(report.memory)}};
  // Names come from the model and need not be UTF-8; replacing bad bytes
  // keeps a report of any model printable instead of throwing.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

BuildReport reportFromJson(const std::string& text) {
  try {
    return fromJson(json::parse(text));
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kInvalidArgument, std::string("malformed build report: ") + e.what());
  }
}

}  // namespace kiln
