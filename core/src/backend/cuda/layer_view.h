// Shared pieces of the hand-written data, reduction and normalization
// tactics. Each op is one function that derives its launch parameters from a
// LayerView (shapes, attributes, host values) and, given a Launch, launches;
// supports() runs the same function without a launch, so the build-time check
// and the run-time derivation cannot drift apart.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "kiln/kernels/cuda/common.cuh"
#include "ops/op.h"

namespace kiln::backend::cuda {

/// What an op function reads: the layer, its opset and its tensors.
struct LayerView {
  const Layer& layer;
  int64_t opset;
  const std::vector<DeviceTensor>& inputs;
  const std::vector<DeviceTensor>& outputs;

  /// True when input i is given (not omitted).
  bool hasInput(size_t i) const {
    return i < layer.inputs.size() && !layer.inputs[i].empty() && i < inputs.size();
  }
  /// True when output i is requested.
  bool hasOutput(size_t i) const {
    return i < layer.outputs.size() && !layer.outputs[i].empty() && i < outputs.size();
  }
  const DeviceTensor& in(size_t i) const;
  const DeviceTensor& out(size_t i) const;
  /// The host value of input i; throws "needs the host value" when unknown.
  const HostTensor& hostValue(size_t i, const char* what) const;
  /// The host value of input i as int64s; empty when the input is omitted.
  std::vector<int64_t> hostInts(size_t i, const char* what) const;
};

/// Thrown (as kiln::Error with kUnsupportedOp) for a layer a tactic cannot run.
[[noreturn]] void unsupported(const std::string& why);

/// The kernels' element type of a DataType; unsupported() for one they lack.
kernels::cuda::ElemType kernelElemType(DataType t);
/// f32, f16 or bf16, else unsupported().
kernels::cuda::ElemType floatElemTypeOf(DataType t);

/// Row-major strides.
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& shape);
/// Product of shape[from, to).
int64_t productOf(const std::vector<int64_t>& shape, size_t from, size_t to);

/// Throws Error naming the kernel launcher when `status` is an error.
void checkLaunch(cudaError_t status, const char* launcher);

/// An op function: derives everything from the view and, when `launch` is
/// not null, enqueues on it. Throws Error (unsupported() or a node error) for
/// what the tactic cannot run.
using OpFn = void (*)(const LayerView& view, const Launch* launch);

/// A tactic made of one op function.
class FnTactic final : public CudaTactic {
 public:
  FnTactic(std::string name, OpFn fn) : name_(std::move(name)), fn_(fn) {}
  std::string name() const override { return name_; }
  std::string supports(const CudaLayerInfo& info) const override;
  void enqueue(const Launch& launch) const override;

 private:
  std::string name_;
  OpFn fn_;
};

/// Registers an op function under `ops`.
inline void addFn(CudaTacticRegistry& r, std::vector<std::string> ops, std::string name, OpFn fn) {
  r.add(std::move(ops), std::make_unique<FnTactic>(std::move(name), fn));
}

}  // namespace kiln::backend::cuda
