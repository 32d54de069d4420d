// The GEMM tactics: MatMul, Gemm and kiln:GemmAct in f32 on the reference
// GEMM or on the blocked one. They differ only in the matrix product.
#include <vector>

#include "backend/cpu/gemm_problem.h"
#include "cpu/gemm_blocked.h"
#include "kiln/errors.h"
#include "ops/common.h"

namespace kiln::backend::cpu {

namespace {

class GemmTactic : public Tactic {
 public:
  std::string supports(const LayerInfo& info) const override {
    if (!isGemmLayer(*info.layer)) return "not a MatMul, Gemm or kiln:GemmAct layer";
    if (std::string reason = float32Reason(info); !reason.empty()) return reason;
    try {
      readGemmProblem(*info.layer, info.opset, shapesOf(info));
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  int64_t workspaceBytes(const LayerInfo& info) const override {
    return workspaceFor(readGemmProblem(*info.layer, info.opset, shapesOf(info)).params);
  }

  // Y starts as beta * C broadcast, so each product adds onto it (beta 1).
  void run(const Layer& layer, int64_t opset, const std::vector<const HostTensor*>& inputs,
           std::vector<HostTensor>& outputs) const override {
    GemmProblem prob = readGemmProblem(layer, opset, shapesOf(inputs));
    requireFloat32(layer, opset, inputs, outputs, prob.outShape);
    float* y = outputs[0].data<float>();
    if (prob.hasBias) {
      const auto offsets = ops::broadcastOffsets(prob.outShape, prob.biasShape);
      const float* c = inputs[2]->data<float>();
      for (size_t i = 0; i < offsets.size(); ++i) y[i] = prob.biasScale * c[offsets[i]];
      prob.params.beta = 1.0;
    }
    const float* a = inputs[0]->data<float>();
    const float* b = inputs[1]->data<float>();
    const int64_t outStride = prob.params.m * prob.params.n;
    for (size_t i = 0; i < prob.aOffsets.size(); ++i) {
      multiply(prob.params, a + prob.aOffsets[i], b + prob.bOffsets[i], y + int64_t(i) * outStride);
    }
    if (prob.hasResidual) {
      const float* z = inputs[3]->data<float>();
      for (int64_t i = 0; i < outputs[0].numel(); ++i) y[i] += z[i];
    }
    kernels::cpu::applyActivation(prob.activation, y, outputs[0].numel());
  }

 protected:
  /// Scratch bytes of one product.
  virtual int64_t workspaceFor(const kernels::cpu::GemmParams& p) const = 0;
  /// One product, with the GemmParams contract.
  virtual void multiply(const kernels::cpu::GemmParams& p, const float* a, const float* b, float* c) const = 0;
};

class GemmNaive final : public GemmTactic {
 public:
  std::string name() const override { return "cpu.gemm.naive"; }

 protected:
  int64_t workspaceFor(const kernels::cpu::GemmParams&) const override { return 0; }
  void multiply(const kernels::cpu::GemmParams& p, const float* a, const float* b, float* c) const override {
    kernels::cpu::gemmReference(p, a, b, c);
  }
};

class GemmBlocked final : public GemmTactic {
 public:
  std::string name() const override { return "cpu.gemm.blocked"; }

 protected:
  int64_t workspaceFor(const kernels::cpu::GemmParams& p) const override {
    return kernels::cpu::gemmBlockedScratchBytes(p);
  }
  void multiply(const kernels::cpu::GemmParams& p, const float* a, const float* b, float* c) const override {
    kernels::cpu::gemmBlocked(p, a, b, c);
  }
};

}  // namespace

std::unique_ptr<Tactic> makeGemmNaiveTactic() { return std::make_unique<GemmNaive>(); }
std::unique_ptr<Tactic> makeGemmBlockedTactic() { return std::make_unique<GemmBlocked>(); }

}  // namespace kiln::backend::cpu
