#include "backend/cuda/broadcast_indexer.h"

namespace kiln::backend::cuda {

std::optional<kernels::cuda::Indexer> broadcastIndexer(const std::vector<int64_t>& out,
                                                       const std::vector<int64_t>& in) {
  if (in.size() > out.size()) return std::nullopt;
  const size_t lead = out.size() - in.size();
  // Strides of `in` aligned to out's dims, 0 where it broadcasts.
  std::vector<int64_t> strides(out.size(), 0);
  int64_t step = 1;
  for (size_t i = in.size(); i-- > 0;) {
    const int64_t o = out[lead + i];
    if (in[i] != o && in[i] != 1) return std::nullopt;
    strides[lead + i] = in[i] == 1 && o != 1 ? 0 : step;
    step *= in[i];
  }
  // Merge dim d into the run before it when the two step through `in` as one dim.
  std::vector<int64_t> dims, merged;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;  // a unit dim never moves the offset
    if (!dims.empty()) {
      const bool bothBroadcast = merged.back() == 0 && strides[d] == 0;
      const bool contiguous = strides[d] != 0 && merged.back() == strides[d] * out[d];
      if (bothBroadcast || contiguous) {
        dims.back() *= out[d];
        merged.back() = strides[d];
        continue;
      }
    }
    dims.push_back(out[d]);
    merged.push_back(strides[d]);
  }
  if (dims.size() > size_t(kernels::cuda::kMaxRank)) return std::nullopt;
  kernels::cuda::Indexer ix;
  ix.rank = int(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    ix.dims[d] = dims[d];
    ix.strides[d] = merged[d];
  }
  return ix;
}

}  // namespace kiln::backend::cuda
