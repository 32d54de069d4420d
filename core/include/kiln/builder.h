// The build side: Builder turns a Network into a plan under a BuilderConfig.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/network.h"
#include "kiln/report.h"

namespace kiln {

/// Where a plan runs.
enum class Target : int32_t {
  kCpu = 0,   ///< the CPU reference backend (with its own tactics)
  kCuda = 1,  ///< NVIDIA GPUs through the CUDA backend
};

/// A precision a layer may run at.
enum class Precision : int32_t {
  kFP32 = 0,  ///< IEEE float
  kTF32 = 1,  ///< float storage, tensor-core math with a 10-bit mantissa
  kFP16 = 2,  ///< half precision
  kBF16 = 3,  ///< bfloat16
  kINT8 = 4,  ///< 8-bit integers with scales
  kFP8 = 5,   ///< FP8 E4M3
};

/// How strictly per-layer precision requests are followed.
enum class PrecisionConstraints : int32_t {
  kNone = 0,    ///< the builder picks the fastest allowed precision
  kPrefer = 1,  ///< requested precisions are used where a tactic supports them, else a warning
  kObey = 2,    ///< requested precisions are used or the build fails
};

/// "fp32", "tf32", "fp16", "bf16", "int8", "fp8".
const char* toString(Precision p) noexcept;
/// Parses toString()'s names.
std::optional<Precision> precisionFromString(std::string_view s) noexcept;
/// "cpu" or "cuda".
const char* toString(Target t) noexcept;

/// Minimum, optimum and maximum sizes of one input.
struct ShapeRange {
  std::vector<int64_t> min;  ///< smallest sizes the engine accepts
  std::vector<int64_t> opt;  ///< sizes tactics are timed at
  std::vector<int64_t> max;  ///< largest sizes; memory is planned for these
};

/// Shape ranges for the inputs with dynamic dimensions. Inputs not named use
/// their static shape (unknown dims become 1).
struct OptimizationProfile {
  std::map<std::string, ShapeRange> inputs;  ///< by input name
  /// Values of inputs that decide shapes (a Reshape target, Pad's pads,
  /// Resize's scales): the builder plans with them, and the engine reads
  /// those inputs on the host at run time (ExecutionContext::setInputValues).
  std::map<std::string, std::vector<double>> shapeValues;
};

/// Receives the builder's messages.
class Logger {
 public:
  /// Message importance.
  enum class Severity : int32_t {
    kError = 0,    ///< the build cannot go on
    kWarning = 1,  ///< worth a look, the build goes on
    kInfo = 2,     ///< progress and results
    kVerbose = 3,  ///< details of every decision
  };
  virtual ~Logger() = default;
  /// Called from the building thread.
  virtual void log(Severity severity, const std::string& message) = 0;
};

/// Receives progress of long work and may cancel it. Called from the building thread.
class ProgressMonitor {
 public:
  virtual ~ProgressMonitor() = default;
  /// A phase ("passes", "tactics", "memory", "serialize") starts with `steps` steps.
  virtual void phaseStart(const std::string& phase, int32_t steps) = 0;
  /// Step `step` of `phase` is done. Return false to cancel the build.
  virtual bool stepComplete(const std::string& phase, int32_t step) = 0;
  /// The phase ended.
  virtual void phaseFinish(const std::string& phase) = 0;
};

/// What to build and how. Pointers are not owned and must outlive the build.
struct BuilderConfig {
  Target target = Target::kCpu;
  bool tf32 = false;  ///< allow TF32 for FP32 convolutions and matmuls
  bool fp16 = false;  ///< allow FP16 layers
  bool bf16 = false;  ///< allow BF16 layers
  bool int8 = false;  ///< allow INT8 layers
  bool fp8 = false;   ///< allow FP8 layers
  PrecisionConstraints constraints = PrecisionConstraints::kNone;
  /// Per-layer precision requests by ONNX node or layer name.
  std::map<std::string, Precision> layerPrecisions;
  int64_t workspaceBytes = int64_t(1) << 30;  ///< the most scratch memory a tactic may use
  /// 0 takes the first supported tactic without timing; 1–5 time more
  /// candidates with more repeats.
  int32_t optimizationLevel = 3;
  /// Timing cache file: read before, written after the build. Empty: none.
  std::string timingCachePath;
  /// Optimization profiles; empty means one profile from the static shapes.
  std::vector<OptimizationProfile> profiles;
  Logger* logger = nullptr;
  ProgressMonitor* progress = nullptr;
  /// Set to true from any thread to cancel; the build then throws
  /// Error(kCancelled) promptly, leaking nothing.
  const std::atomic<bool>* cancel = nullptr;
};

/// Builds plans. A Builder holds no state between builds.
class Builder {
 public:
  /// Builds a plan for `network` (which is copied, never changed). Returns the
  /// plan's bytes; fills `report` when given (the plan holds it too). Throws
  /// Error: kCancelled when cancelled, kUnsupportedOp, kInvalidArgument for a
  /// config that cannot be met.
  std::string buildPlan(const Network& network, const BuilderConfig& config, BuildReport* report = nullptr) const;
};

}  // namespace kiln
