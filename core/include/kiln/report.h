// The BuildReport: everything the builder did, recorded once in core and
// shown by the CLI (inspect, --report) and the studio alike.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

/// One change a pass made.
struct PassChange {
  std::string description;           ///< e.g. "folded BatchNormalization 'bn1' into Conv 'conv1'"
  std::vector<std::string> removed;  ///< layers that disappeared
  std::string result;                ///< the layer that now stands for them, if any
};

/// What one pass did.
struct PassRecord {
  std::string name;                  ///< the pass's stable name ("fold-batchnorm", ...)
  std::vector<PassChange> changes;   ///< empty when it did not apply
  double ms = 0;                     ///< how long it ran
};

/// One tactic the builder considered for a layer.
struct TacticCandidate {
  std::string tactic;                ///< tactic name ("cpu.conv.im2col-gemm", ...)
  double ms = -1;                    ///< median time; -1 when not timed
  std::string skipped;               ///< why it was not timed or not usable; empty otherwise
  bool fromCache = false;            ///< the time came from the timing cache
};

/// A layer of the built engine.
struct LayerReport {
  std::string name;                        ///< layer name
  std::string type;                        ///< op ("Conv", "kiln:ConvAct", ...)
  std::vector<std::string> origin;         ///< the ONNX nodes it stands for
  std::string precision;                   ///< "fp32", "fp16", ...
  std::vector<std::string> inputShapes;    ///< "1x3x224x224", for the opt profile
  std::vector<std::string> outputShapes;
  std::string tactic;                      ///< the chosen tactic
  double ms = -1;                          ///< its time; -1 when not timed
  int64_t workspaceBytes = 0;              ///< scratch memory the tactic needs
  std::vector<TacticCandidate> candidates; ///< every tactic considered, the chosen one included
};

/// Where an activation tensor lives in the shared arena.
struct BufferAssignment {
  std::string tensor;     ///< tensor name
  int64_t offset = 0;     ///< byte offset in the arena
  int64_t bytes = 0;      ///< size at the largest profile shapes
  int32_t firstLayer = 0; ///< index of the layer that writes it
  int32_t lastLayer = 0;  ///< index of the last layer that reads it
};

/// The memory plan.
struct MemoryReport {
  int64_t weightBytes = 0;          ///< constants in their final layout
  int64_t activationPeakBytes = 0;  ///< the arena size, buffers shared by lifetime
  int64_t activationNaiveBytes = 0; ///< the sum of all activation sizes without sharing
  int64_t workspaceBytes = 0;       ///< the largest tactic workspace
  std::vector<BufferAssignment> buffers;
};

/// Everything a build did.
struct BuildReport {
  std::string model;                 ///< the source model's name or path
  std::string target;                ///< "cpu" or "cuda"
  std::string device;                ///< the device's name
  int32_t onnxNodes = 0;             ///< layers before the passes
  std::vector<PassRecord> passes;    ///< in the order they ran
  std::vector<LayerReport> layers;   ///< the built engine, in execution order
  MemoryReport memory;
  double buildSeconds = 0;           ///< wall time of the whole build
  int32_t timingCacheHits = 0;       ///< tactic times taken from the cache
  int32_t timingCacheMisses = 0;     ///< tactic times measured
  std::vector<std::string> warnings;
};

/// The report as JSON text: {"layers": [...], "memory": {...}, "passes": [...], ...}.
std::string reportToJson(const BuildReport& report, int indent = 2);
/// Parses reportToJson()'s output. Throws Error(kInvalidArgument) on malformed text.
BuildReport reportFromJson(const std::string& json);

}  // namespace kiln
