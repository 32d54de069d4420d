// The CPU backend: which tactics each layer may take, in order of preference.
#include "backend/cpu/conv_problem.h"
#include "backend/cpu/gemm_problem.h"
#include "backend/cpu/tactics.h"

namespace kiln::backend {

namespace {

class CpuBackend final : public Backend {
 public:
  CpuBackend()
      : ref_(cpu::makeRefTactic()),
        convDirect_(cpu::makeConvDirectTactic()),
        convIm2colGemm_(cpu::makeConvIm2colGemmTactic()),
        gemmNaive_(cpu::makeGemmNaiveTactic()),
        gemmBlocked_(cpu::makeGemmBlockedTactic()) {}

  Target target() const override { return Target::kCpu; }

  // The reference comes last everywhere: it also runs the fused ops once the
  // operator registry knows them.
  std::vector<const Tactic*> tactics(const Layer& layer) const override {
    if (cpu::isConvLayer(layer)) return {convIm2colGemm_.get(), convDirect_.get(), ref_.get()};
    if (cpu::isGemmLayer(layer)) return {gemmBlocked_.get(), gemmNaive_.get(), ref_.get()};
    return {ref_.get()};
  }

  const Tactic* findTactic(const std::string& name) const override {
    for (const Tactic* t : all()) {
      if (t->name() == name) return t;
    }
    return nullptr;
  }

 private:
  std::vector<const Tactic*> all() const {
    return {ref_.get(), convDirect_.get(), convIm2colGemm_.get(), gemmNaive_.get(), gemmBlocked_.get()};
  }

  std::unique_ptr<Tactic> ref_, convDirect_, convIm2colGemm_, gemmNaive_, gemmBlocked_;
};

}  // namespace

const Backend& cpuBackend() {
  static const CpuBackend backend;
  return backend;
}

}  // namespace kiln::backend
