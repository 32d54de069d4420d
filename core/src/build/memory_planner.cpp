#include "build/memory_planner.h"

#include <algorithm>

#include "kiln/errors.h"

namespace kiln::build {

MemoryReport planMemory(const std::vector<Lifetime>& tensors, int64_t alignment) {
  MemoryReport report;
  std::vector<size_t> order(tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tensors[a].bytes > tensors[b].bytes; });
  auto align = [alignment](int64_t v) { return (v + alignment - 1) / alignment * alignment; };
  std::vector<BufferAssignment> placed;
  for (size_t idx : order) {
    const Lifetime& t = tensors[idx];
    report.activationNaiveBytes += align(t.bytes);
    if (!t.aliasOf.empty()) continue;
    const int64_t size = align(std::max<int64_t>(t.bytes, 1));
    // Intervals already taken by tensors alive at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (const auto& p : placed) {
      if (p.firstLayer <= t.last && t.first <= p.lastLayer) busy.emplace_back(p.offset, p.offset + align(std::max<int64_t>(p.bytes, 1)));
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + size <= begin) break;
      offset = std::max(offset, end);
    }
    placed.push_back(BufferAssignment{t.tensor, offset, t.bytes, t.first, t.last});
    report.activationPeakBytes = std::max(report.activationPeakBytes, offset + size);
  }
  for (const Lifetime& t : tensors) {
    if (t.aliasOf.empty()) continue;
    const auto root = std::find_if(placed.begin(), placed.end(), [&](const auto& p) { return p.tensor == t.aliasOf; });
    if (root == placed.end() || root->bytes < t.bytes) {
      throw Error(ErrorCode::kInternal, "memory plan: '" + t.tensor + "' shares the bytes of '" + t.aliasOf +
                                            "', which is not a larger planned tensor");
    }
    placed.push_back(BufferAssignment{t.tensor, root->offset, t.bytes, t.first, t.last});
  }
  std::sort(placed.begin(), placed.end(), [](const auto& a, const auto& b) {
    return a.firstLayer != b.firstLayer ? a.firstLayer < b.firstLayer : a.tensor < b.tensor;
  });
  report.buffers = std::move(placed);
  return report;
}

}  // namespace kiln::build
