// The convolution tactics: the reference direct convolution, and im2col
// followed by the blocked GEMM. Both run Conv and kiln:ConvAct in f32.
#include <vector>

#include "backend/cpu/conv_problem.h"
#include "cpu/gemm_blocked.h"
#include "cpu/im2col.h"
#include "kiln/errors.h"
#include "ops/op.h"

namespace kiln::backend::cpu {

namespace {

// What both tactics share: reading the problem, the checks, and the
// fallback to a reason when the layer does not fit.
class ConvTactic : public Tactic {
 public:
  std::string supports(const LayerInfo& info) const override {
    if (!isConvLayer(*info.layer)) return "not a Conv or kiln:ConvAct layer";
    if (std::string reason = float32Reason(info); !reason.empty()) return reason;
    if (isChannelsLast(*info.layer)) return "channels-last convolutions run on the GPU and the reference";
    try {
      return supportsProblem(readConvProblem(*info.layer, info.opset, shapesOf(info)));
    } catch (const Error& e) {
      return e.message();
    }
  }

  int64_t workspaceBytes(const LayerInfo& info) const override {
    const ConvProblem prob = readConvProblem(*info.layer, info.opset, shapesOf(info));
    return supportsProblem(prob).empty() ? workspaceFor(prob) : 0;
  }

  void run(const Layer& layer, int64_t opset, const std::vector<const HostTensor*>& inputs,
           std::vector<HostTensor>& outputs) const override {
    const ConvProblem prob = readConvProblem(layer, opset, shapesOf(inputs));
    requireFloat32(layer, opset, inputs, outputs, prob.outShape);
    if (std::string reason = supportsProblem(prob); !reason.empty()) {
      ops::NodeContext(layer, opset).fail(name() + " cannot run the layer: " + reason, ErrorCode::kInvalidArgument);
    }
    const float* bias = prob.hasBias ? inputs[2]->data<float>() : nullptr;
    const float* residual = prob.hasResidual ? inputs[3]->data<float>() : nullptr;
    compute(prob, inputs[0]->data<float>(), inputs[1]->data<float>(), bias, residual, outputs[0].data<float>());
  }

 protected:
  /// Empty when the tactic runs this geometry, else why not.
  virtual std::string supportsProblem(const ConvProblem& prob) const = 0;
  /// Scratch bytes for this geometry.
  virtual int64_t workspaceFor(const ConvProblem& prob) const = 0;
  /// y = act(conv(x, w) + bias + residual); bias and residual may be null.
  virtual void compute(const ConvProblem& prob, const float* x, const float* w, const float* bias,
                       const float* residual, float* y) const = 0;
};

class ConvDirect final : public ConvTactic {
 public:
  std::string name() const override { return "cpu.conv.direct"; }

 protected:
  std::string supportsProblem(const ConvProblem&) const override { return {}; }
  int64_t workspaceFor(const ConvProblem&) const override { return 0; }
  void compute(const ConvProblem& prob, const float* x, const float* w, const float* bias,
               const float* residual, float* y) const override {
    kernels::cpu::convReference(prob.params, x, w, bias, y);
    const int64_t n = numelOf(prob.outShape);
    if (residual) {
      for (int64_t i = 0; i < n; ++i) y[i] += residual[i];
    }
    kernels::cpu::applyActivation(prob.activation, y, n);
  }
};

// Per image and group: col = im2col(x), then Y_g = W_g * col + Y_g where Y_g
// starts as bias + residual, so the GEMM adds the epilogue's sums for free.
class ConvIm2colGemm final : public ConvTactic {
 public:
  std::string name() const override { return "cpu.conv.im2col-gemm"; }

 protected:
  std::string supportsProblem(const ConvProblem& prob) const override {
    const size_t r = prob.params.kernel.size();
    if (r != 2) return "im2col-gemm runs 2-D convolutions only, not " + std::to_string(r) + "-D";
    return {};
  }

  int64_t workspaceFor(const ConvProblem& prob) const override {
    return kernels::cpu::im2colRows(prob.params) * kernels::cpu::im2colCols(prob.params) * int64_t(sizeof(float)) +
           kernels::cpu::gemmBlockedScratchBytes(groupGemm(prob));
  }

  void compute(const ConvProblem& prob, const float* x, const float* w, const float* bias,
               const float* residual, float* y) const override {
    const kernels::cpu::ConvParams& p = prob.params;
    kernels::cpu::GemmParams g = groupGemm(prob);
    g.beta = bias || residual ? 1.0 : 0.0;
    const int64_t cinG = p.inChannels / p.group, coutG = p.outChannels / p.group;
    const int64_t inPlane = p.inSize[0] * p.inSize[1], outPlane = g.n;
    std::vector<float> col(size_t(g.k * g.n));
    for (int64_t n = 0; n < p.batch; ++n) {
      for (int64_t grp = 0; grp < p.group; ++grp) {
        const int64_t firstOut = n * p.outChannels + grp * coutG;  // in planes of y
        float* yg = y + firstOut * outPlane;
        if (g.beta != 0.0) {
          for (int64_t m = 0; m < coutG; ++m) {
            const float b = bias ? bias[grp * coutG + m] : 0.f;
            const float* z = residual ? residual + (firstOut + m) * outPlane : nullptr;
            for (int64_t i = 0; i < outPlane; ++i) yg[m * outPlane + i] = z ? b + z[i] : b;
          }
        }
        kernels::cpu::im2col2d(p, x + (n * p.inChannels + grp * cinG) * inPlane, col.data());
        kernels::cpu::gemmBlocked(g, w + grp * coutG * g.k, col.data(), yg);
        kernels::cpu::applyActivation(prob.activation, yg, coutG * outPlane);
      }
    }
  }

 private:
  // One group's product: [coutG x K] filters times the [K x outH*outW] columns.
  static kernels::cpu::GemmParams groupGemm(const ConvProblem& prob) {
    kernels::cpu::GemmParams g;
    g.m = prob.params.outChannels / prob.params.group;
    g.k = kernels::cpu::im2colRows(prob.params);
    g.n = kernels::cpu::im2colCols(prob.params);
    g.lda = g.k;
    g.ldb = g.n;
    g.ldc = g.n;
    return g;
  }
};

}  // namespace

std::unique_ptr<Tactic> makeConvDirectTactic() { return std::make_unique<ConvDirect>(); }
std::unique_ptr<Tactic> makeConvIm2colGemmTactic() { return std::make_unique<ConvIm2colGemm>(); }

}  // namespace kiln::backend::cpu
