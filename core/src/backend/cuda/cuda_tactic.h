// CUDA tactics: implementations of a layer on the GPU. The builder asks each
// whether it supports a layer at a precision, lets it prepare (pick an
// algorithm, compile a kernel) and times it; the engine enqueues it.
#pragma once

#include <cuda_runtime.h>

#include <memory>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/network.h"
#include "kiln/types.h"

typedef struct cudnnContext* cudnnHandle_t;
typedef struct cublasLtContext* cublasLtHandle_t;

namespace kiln::backend::cuda {

/// A tensor as a tactic sees it. `data` is device memory (null for an
/// omitted optional input). `host` holds the value on the host where one is
/// known when the engine loads or shapes are set: constants, and small shape
/// tensors the engine computes on the host (Reshape's shape, Slice's starts).
struct DeviceTensor {
  DataType type = DataType::kFloat32;
  std::vector<int64_t> shape;
  void* data = nullptr;
  const HostTensor* host = nullptr;
};

/// Library handles owned by an execution context (one set per stream).
struct Handles {
  cudnnHandle_t cudnn = nullptr;
  cublasLtHandle_t cublasLt = nullptr;
};

/// What a tactic sees at build time: the layer, its opset, the precision it
/// runs at, and its inputs and outputs with the types and shapes they will
/// have (at the profile's opt shapes) and host values where known.
struct CudaLayerInfo {
  const Layer* layer = nullptr;
  int64_t opset = 0;
  Precision precision = Precision::kFP32;
  std::vector<DeviceTensor> inputs;   ///< data null at build time unless timing
  std::vector<DeviceTensor> outputs;
};

/// One launch: everything enqueue() may use. Nothing here is owned.
struct Launch {
  const Layer* layer = nullptr;
  int64_t opset = 0;
  Precision precision = Precision::kFP32;
  std::vector<DeviceTensor> inputs;
  std::vector<DeviceTensor> outputs;
  void* workspace = nullptr;        ///< device scratch of workspaceBytes() bytes
  int64_t workspaceBytes = 0;
  cudaStream_t stream = nullptr;
  Handles handles;
  const std::string* state = nullptr;  ///< what prepare() returned (never null)
};

/// One GPU implementation of a layer. Tactics are stateless and shared;
/// per-layer state travels in the string prepare() returns.
class CudaTactic {
 public:
  virtual ~CudaTactic() = default;
  /// Stable name, unique among CUDA tactics ("cuda.conv.cudnn.algo1").
  virtual std::string name() const = 0;
  /// Empty when the tactic can run the layer; otherwise why not (shown in the report).
  virtual std::string supports(const CudaLayerInfo& info) const = 0;
  /// Scratch bytes the layer needs in device memory.
  virtual int64_t workspaceBytes(const CudaLayerInfo& info) const { (void)info; return 0; }
  /// Build-time work (pick an algorithm, compile a kernel). The result is
  /// stored in the plan and handed back in Launch::state. Throws Error on failure.
  virtual std::string prepare(const CudaLayerInfo& info) const { (void)info; return {}; }
  /// Enqueues the layer on launch.stream. Allocates nothing; checks every
  /// launch. Must give the CPU reference's results within the precision's tolerance.
  virtual void enqueue(const Launch& launch) const = 0;
};

/// All CUDA tactics, by op.
class CudaTacticRegistry {
 public:
  /// The one registry, filled on first use.
  static const CudaTacticRegistry& instance();
  /// Candidates for a layer, in order of preference.
  std::vector<const CudaTactic*> tacticsFor(const Layer& layer) const;
  /// A tactic by name, or null.
  const CudaTactic* find(const std::string& name) const;
  /// Adds a tactic for ops (op names as "Conv" or "kiln:ConvAct").
  void add(std::vector<std::string> ops, std::unique_ptr<CudaTactic> tactic);

 private:
  struct Entry {
    std::vector<std::string> ops;
    std::unique_ptr<CudaTactic> tactic;
  };
  std::vector<Entry> entries_;
};

/// "Conv" for the default domain, "kiln:ConvAct" otherwise: the key tactics register under.
std::string opKey(const Layer& layer);

// One function per tactic family file.
void registerElementwiseTactics(CudaTacticRegistry& r);
void registerDataTactics(CudaTacticRegistry& r);
void registerReduceTactics(CudaTacticRegistry& r);
void registerIndexTactics(CudaTacticRegistry& r);
void registerNormTactics(CudaTacticRegistry& r);
void registerConvTactics(CudaTacticRegistry& r);
void registerMatmulTactics(CudaTacticRegistry& r);
void registerAttentionTactics(CudaTacticRegistry& r);
void registerPoolNhwcTactics(CudaTacticRegistry& r);
void registerHostTactics(CudaTacticRegistry& r);

}  // namespace kiln::backend::cuda
