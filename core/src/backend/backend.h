// Backends and tactics: for each layer a backend offers concrete
// implementations (tactics); the builder asks each whether it supports the
// layer, times the candidates and keeps the fastest.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/network.h"
#include "kiln/types.h"

namespace kiln::backend {

/// The static facts a tactic sees about a layer at build time.
struct LayerInfo {
  const Layer* layer = nullptr;
  int64_t opset = 0;                             ///< the opset of the layer's domain
  std::vector<const Tensor*> inputs;             ///< null for omitted optional inputs
  std::vector<std::vector<int64_t>> inputShapes; ///< at the timing (opt) shapes
  std::vector<std::vector<int64_t>> outputShapes;
  Precision precision = Precision::kFP32;
};

/// One implementation of a layer.
class Tactic {
 public:
  virtual ~Tactic() = default;
  /// Stable name, unique within its backend ("cpu.conv.im2col-gemm").
  virtual std::string name() const = 0;
  /// Empty when the tactic can run the layer; otherwise why not (shown in the report).
  virtual std::string supports(const LayerInfo& info) const = 0;
  /// Scratch bytes the tactic needs for this layer.
  virtual int64_t workspaceBytes(const LayerInfo& info) const { (void)info; return 0; }
  /// Computes the layer. `outputs` are allocated with the inferred shapes.
  /// Must give the reference backend's results within the precision's tolerance.
  virtual void run(const Layer& layer, int64_t opset, const std::vector<const HostTensor*>& inputs,
                   std::vector<HostTensor>& outputs) const = 0;
};

/// A device's set of tactics.
class Backend {
 public:
  virtual ~Backend() = default;
  /// "cpu" or "cuda".
  virtual Target target() const = 0;
  /// Candidate tactics for a layer, in order of preference (the first
  /// supported one is what optimization level 0 takes).
  virtual std::vector<const Tactic*> tactics(const Layer& layer) const = 0;
  /// Looks a tactic up by name; null when unknown (e.g. a plan from another version).
  virtual const Tactic* findTactic(const std::string& name) const = 0;
};

/// The CPU backend (always present).
const Backend& cpuBackend();

}  // namespace kiln::backend
