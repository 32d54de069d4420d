// The run side: Runtime loads a plan into an Engine; ExecutionContexts run it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/reference.h"
#include "kiln/report.h"

namespace kiln {

/// Receives per-layer times while a context runs.
class Profiler {
 public:
  virtual ~Profiler() = default;
  /// Called once per layer per run, in execution order, from the running thread.
  virtual void reportLayerTime(const std::string& layer, const std::string& type, double ms) = 0;
};

class ExecutionContext;

/// Where the time of the last execute() went, in ms. On cpu only computeMs
/// and enqueueMs are set.
struct ExecuteTimings {
  double hostToDeviceMs = 0;  ///< input copies (device time)
  double computeMs = 0;       ///< the layers (device time)
  double deviceToHostMs = 0;  ///< output copies (device time)
  double enqueueMs = 0;       ///< host time spent enqueueing the layers
};

/// An immutable, loaded plan. Shareable between threads: each thread runs its
/// own ExecutionContext. Contexts keep the engine alive.
class Engine : public std::enable_shared_from_this<Engine> {
 public:
  virtual ~Engine() = default;
  /// Names of the inputs, then the outputs.
  virtual const std::vector<std::string>& inputNames() const = 0;
  virtual const std::vector<std::string>& outputNames() const = 0;
  /// Element type of an I/O tensor. Throws Error for an unknown name.
  virtual DataType tensorType(const std::string& name) const = 0;
  /// Static shape of an I/O tensor (dynamic dims unknown or symbolic).
  virtual Dims tensorShape(const std::string& name) const = 0;
  /// Number of optimization profiles.
  virtual int32_t numProfiles() const = 0;
  /// Shape range of an input in a profile.
  virtual ShapeRange profileShapes(const std::string& input, int32_t profile) const = 0;
  /// What the builder did.
  virtual const BuildReport& report() const = 0;
  /// The target the engine runs on.
  virtual Target target() const = 0;
  /// A new context; the caller owns it.
  virtual std::unique_ptr<ExecutionContext> createExecutionContext() const = 0;
};

/// Runs an engine. One context per thread or stream; a context is not
/// thread-safe itself.
class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;
  /// Selects the profile whose shape ranges apply (default 0).
  virtual void setOptimizationProfile(int32_t profile) = 0;
  /// Sets the actual shape of an input. Throws Error when outside the profile.
  virtual void setInputShape(const std::string& name, const std::vector<int64_t>& shape) = 0;
  /// Sets the host values of an input named in a profile's shapeValues (the
  /// engine plans shapes with them). execute() sets them itself.
  virtual void setInputValues(const std::string& name, const HostTensor& values) = 0;
  /// The shape an output will have for the inputs' shapes set so far.
  virtual std::vector<int64_t> outputShape(const std::string& name) = 0;
  /// Binds an I/O tensor to caller-owned memory (host memory on cpu, device
  /// memory on cuda), used by every following enqueue until rebound.
  virtual void setTensorAddress(const std::string& name, void* address) = 0;
  /// Runs on `stream` (ignored on cpu, where it runs to completion).
  virtual void enqueue(void* stream = nullptr) = 0;
  /// Receives per-layer times of following runs; null stops profiling. Not owned.
  virtual void setProfiler(Profiler* profiler) = 0;
  /// Convenience for host data: sets shapes and addresses, runs, returns the outputs.
  virtual TensorMap execute(const TensorMap& inputs) = 0;
  /// Runs again on the inputs the last execute() copied to the device,
  /// without any copy (device-resident inputs), and waits for the result.
  virtual void executeResident() = 0;
  /// Captures enqueue into a CUDA graph and replays it while shapes and
  /// addresses stay the same (cuda; ignored on cpu, or when a layer runs on the host).
  virtual void setCudaGraph(bool enabled) = 0;
  /// Where the time of the last execute() or executeResident() went.
  virtual ExecuteTimings lastTimings() const = 0;
};

/// Loads plans.
class Runtime {
 public:
  /// Loads a plan from bytes. Throws Error(kInvalidPlan) with one line naming
  /// the problem for a truncated, corrupt, foreign or other-version plan.
  static std::shared_ptr<const Engine> load(const std::string& planBytes, const std::string& displayName = "plan");
  /// Loads a plan file.
  static std::shared_ptr<const Engine> loadFile(const std::string& path);
};

}  // namespace kiln
