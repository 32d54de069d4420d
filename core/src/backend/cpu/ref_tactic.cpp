// `cpu.ref`: runs a layer with its operator's reference compute, the result
// every other tactic is measured against.
#include "backend/cpu/tactics.h"
#include "ops/evaluate.h"

namespace kiln::backend::cpu {

namespace {

class RefTactic final : public Tactic {
 public:
  std::string name() const override { return "cpu.ref"; }

  std::string supports(const LayerInfo& info) const override {
    const Layer& layer = *info.layer;
    const ops::OpSchema* schema = ops::OpRegistry::instance().find(layer.op, layer.domain);
    if (!schema) {
      return "the reference backend does not know " + (layer.domain.empty() ? "" : layer.domain + ":") + layer.op;
    }
    if (info.precision != Precision::kFP32) {
      return "cpu runs fp32 only";
    }
    try {
      ops::checkArity(*schema, layer, info.opset);
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  void run(const Layer& layer, int64_t opset, const std::vector<const HostTensor*>& inputs,
           std::vector<HostTensor>& outputs) const override {
    const ops::OpSchema* schema = ops::OpRegistry::instance().find(layer.op, layer.domain);
    if (!schema) {
      ops::NodeContext(layer, opset).fail("the reference backend does not know the operator", ErrorCode::kUnsupportedOp);
    }
    ops::evaluateLayerInto(*schema, layer, opset, inputs, outputs);
  }
};

}  // namespace

std::unique_ptr<Tactic> makeRefTactic() { return std::make_unique<RefTactic>(); }

}  // namespace kiln::backend::cpu
