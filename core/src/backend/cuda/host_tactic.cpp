// The host fallback: runs a layer with the CPU reference kernels, copying its
// inputs from and its outputs to the device. Correct for every op, slow, and
// synchronizing; the report names every layer that uses it, and the builder
// prefers any GPU tactic over it.
#include <cstring>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/device_tensors.h"
#include "ops/evaluate.h"
#include "ops/op.h"

namespace kiln::backend::cuda {

namespace {

class HostFallbackTactic final : public CudaTactic {
 public:
  std::string name() const override { return kHostFallbackTactic; }

  std::string supports(const CudaLayerInfo& info) const override {
    const Layer& l = *info.layer;
    return ops::OpRegistry::instance().find(l.op, l.domain) ? "" : "the reference backend lacks " + opKey(l);
  }

  void enqueue(const Launch& launch) const override {
    const Layer& layer = *launch.layer;
    std::vector<HostTensor> inputs(launch.inputs.size());
    std::vector<const HostTensor*> args(launch.inputs.size(), nullptr);
    KILN_CUDA_CHECK(cudaStreamSynchronize(launch.stream));
    for (size_t i = 0; i < launch.inputs.size(); ++i) {
      const DeviceTensor& t = launch.inputs[i];
      if (t.host) {
        args[i] = t.host;
        continue;
      }
      if (!t.data) continue;
      inputs[i] = HostTensor(t.type, t.shape);
      KILN_CUDA_CHECK(cudaMemcpy(inputs[i].raw(), t.data, inputs[i].bytes(), cudaMemcpyDeviceToHost));
      args[i] = &inputs[i];
    }
    const auto* schema = ops::OpRegistry::instance().find(layer.op, layer.domain);
    std::vector<HostTensor> outputs = ops::evaluateLayer(*schema, layer, launch.opset, args);
    for (size_t i = 0; i < launch.outputs.size() && i < outputs.size(); ++i) {
      const DeviceTensor& o = launch.outputs[i];
      if (!o.data) continue;
      if (outputs[i].shape() != o.shape || outputs[i].type() != o.type) {
        throw Error(ErrorCode::kInternal, "host fallback produced " + shapeString(outputs[i].shape()) + " " +
                                              toString(outputs[i].type()) + "; the engine planned " +
                                              shapeString(o.shape) + " " + toString(o.type),
                    ErrorLocation{{}, layer.name, layer.op, launch.opset});
      }
      KILN_CUDA_CHECK(cudaMemcpy(o.data, outputs[i].raw(), outputs[i].bytes(), cudaMemcpyHostToDevice));
    }
  }
};

}  // namespace

void registerHostTactics(CudaTacticRegistry& r) { r.add({"*"}, std::make_unique<HostFallbackTactic>()); }

}  // namespace kiln::backend::cuda
