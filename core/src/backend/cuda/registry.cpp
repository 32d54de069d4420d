#include "backend/cuda/cuda_tactic.h"

#include <algorithm>

namespace kiln::backend::cuda {

std::string opKey(const Layer& layer) {
  return layer.domain.empty() || layer.domain == "ai.onnx" ? layer.op : layer.domain + ":" + layer.op;
}

const CudaTacticRegistry& CudaTacticRegistry::instance() {
  static const CudaTacticRegistry registry = [] {
    CudaTacticRegistry r;
    registerConvTactics(r);
    registerMatmulTactics(r);
    registerAttentionTactics(r);
    registerReduceTactics(r);
    registerNormTactics(r);
    registerPoolNhwcTactics(r);
    registerElementwiseTactics(r);
    registerDataTactics(r);
    registerIndexTactics(r);
    registerHostTactics(r);  // last: the fallback every op has
    return r;
  }();
  return registry;
}

std::vector<const CudaTactic*> CudaTacticRegistry::tacticsFor(const Layer& layer) const {
  const std::string key = opKey(layer);
  std::vector<const CudaTactic*> out;
  for (const auto& e : entries_) {
    if (std::find(e.ops.begin(), e.ops.end(), key) != e.ops.end() ||
        std::find(e.ops.begin(), e.ops.end(), "*") != e.ops.end()) {
      out.push_back(e.tactic.get());
    }
  }
  return out;
}

const CudaTactic* CudaTacticRegistry::find(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.tactic->name() == name) return e.tactic.get();
  }
  return nullptr;
}

void CudaTacticRegistry::add(std::vector<std::string> ops, std::unique_ptr<CudaTactic> tactic) {
  entries_.push_back(Entry{std::move(ops), std::move(tactic)});
}

}  // namespace kiln::backend::cuda
