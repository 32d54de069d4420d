#include "ops/evaluate.h"

#include <new>

namespace kiln::ops {

void checkArity(const OpSchema& schema, const Layer& layer, int64_t opset) {
  NodeContext ctx(layer, opset);
  if (opset < schema.sinceVersion) {
    ctx.fail("the operator does not exist before opset " + std::to_string(schema.sinceVersion));
  }
  const int nin = int(layer.inputs.size());
  const int nout = int(layer.outputs.size());
  if (nin < schema.minInputs || nin > schema.maxInputs) {
    ctx.fail("has " + std::to_string(nin) + " inputs; expected " + std::to_string(schema.minInputs) +
             (schema.maxInputs != schema.minInputs ? " to " + std::to_string(schema.maxInputs) : ""));
  }
  if (nout < schema.minOutputs || nout > schema.maxOutputs) {
    ctx.fail("has " + std::to_string(nout) + " outputs; expected " + std::to_string(schema.minOutputs) +
             (schema.maxOutputs != schema.minOutputs ? " to " + std::to_string(schema.maxOutputs) : ""));
  }
  for (int i = 0; i < schema.minInputs && i < nin; ++i) {
    if (layer.inputs[size_t(i)].empty()) ctx.fail("required input " + std::to_string(i) + " is missing");
  }
}

namespace {
// Turns any failure inside an operator into an Error naming the layer.
template <class F>
auto guarded(const Layer& layer, int64_t opset, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kInvalidArgument, "out of memory while computing the layer",
                ErrorLocation{{}, layer.name, layer.op, opset});
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInternal, e.what(), ErrorLocation{{}, layer.name, layer.op, opset});
  }
}
}  // namespace

std::vector<HostTensor> allocateOutputs(const OpSchema& schema, const Layer& layer, int64_t opset,
                                        const std::vector<const HostTensor*>& inputs) {
  return guarded(layer, opset, [&] {
    std::vector<ValueInfo> inInfo(inputs.size());
    std::vector<const ValueInfo*> inPtrs(inputs.size(), nullptr);
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i]) continue;
      inInfo[i] = ValueInfo{inputs[i]->type(), Dims::of(inputs[i]->shape()), inputs[i]};
      inPtrs[i] = &inInfo[i];
    }
    std::vector<ValueInfo> outInfo(layer.outputs.size());
    InferContext ictx(layer, opset, inPtrs, outInfo);
    schema.infer(ictx);
    std::vector<HostTensor> outputs;
    outputs.reserve(outInfo.size());
    for (size_t i = 0; i < outInfo.size(); ++i) {
      auto sizes = outInfo[i].dims.sizes();
      if (!sizes) {
        if (layer.outputs[i].empty()) {
          outputs.emplace_back();
          continue;
        }
        ictx.fail("output " + std::to_string(i) + " has no concrete shape (" + outInfo[i].dims.str() + ")",
                  ErrorCode::kInternal);
      }
      outputs.emplace_back(outInfo[i].type, *sizes);
    }
    return outputs;
  });
}

std::vector<HostTensor> evaluateLayer(const OpSchema& schema, const Layer& layer, int64_t opset,
                                      const std::vector<const HostTensor*>& inputs) {
  std::vector<HostTensor> outputs = allocateOutputs(schema, layer, opset, inputs);
  guarded(layer, opset, [&] {
    ComputeContext cctx(layer, opset, inputs, outputs);
    schema.compute(cctx);
  });
  return outputs;
}

}  // namespace kiln::ops
