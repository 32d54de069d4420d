#include "ops/common.h"

#include <algorithm>
#include <string>

namespace kiln::ops {

std::vector<int64_t> stridesOf(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

int64_t normalizeAxis(const NodeContext& ctx, int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return a;
}

std::vector<int64_t> normalizeAxes(const NodeContext& ctx, std::vector<int64_t> axes, int64_t rank) {
  for (auto& a : axes) a = normalizeAxis(ctx, a, rank);
  std::vector<int64_t> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) ctx.fail("repeated axis");
  return axes;
}

Dims broadcastDims(const NodeContext& ctx, const Dims& a, const Dims& b) {
  if (!a.rankKnown || !b.rankKnown) return Dims::unknownRank();
  size_t r = std::max(a.rank(), b.rank());
  Dims out = Dims::unknownOfRank(r);
  for (size_t i = 0; i < r; ++i) {
    const Dim one(1);
    const Dim& x = i + a.rank() >= r ? a[i + a.rank() - r] : one;
    const Dim& y = i + b.rank() >= r ? b[i + b.rank() - r] : one;
    Dim& o = out[i];
    if (x.known() && y.known()) {
      if (x.value != y.value && x.value != 1 && y.value != 1) {
        ctx.fail("shapes " + a.str() + " and " + b.str() + " do not broadcast", ErrorCode::kShapeMismatch);
      }
      o = Dim(x.value == 1 ? y.value : x.value);
    } else if (x.known() && x.value == 1) {
      o = y;
    } else if (y.known() && y.value == 1) {
      o = x;
    } else if (x.known()) {
      o = x;  // the symbolic side must be 1 or equal
    } else if (y.known()) {
      o = y;
    } else if (x.symbol == y.symbol) {
      o = x;
    }
  }
  return out;
}

std::vector<int64_t> broadcastShape(const NodeContext& ctx, const std::vector<int64_t>& a,
                                    const std::vector<int64_t>& b) {
  size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t x = i + a.size() >= r ? a[i + a.size() - r] : 1;
    int64_t y = i + b.size() >= r ? b[i + b.size() - r] : 1;
    if (x != y && x != 1 && y != 1) {
      ctx.fail("shapes " + shapeString(a) + " and " + shapeString(b) + " do not broadcast",
               ErrorCode::kShapeMismatch);
    }
    out[i] = x == 1 ? y : x;
  }
  return out;
}

std::vector<int64_t> broadcastOffsets(const std::vector<int64_t>& out, const std::vector<int64_t>& in) {
  const size_t r = out.size();
  std::vector<int64_t> inStride(r, 0);
  auto s = stridesOf(in);
  for (size_t i = 0; i < in.size(); ++i) {
    size_t o = i + r - in.size();
    inStride[o] = in[i] == 1 ? 0 : s[i];
  }
  const int64_t n = numelOf(out);
  std::vector<int64_t> offsets(size_t(std::max<int64_t>(n, 0)));
  if (n <= 0) return offsets;
  std::vector<int64_t> idx(r, 0);
  int64_t off = 0;
  for (int64_t k = 0; k < n; ++k) {
    offsets[size_t(k)] = off;
    for (int64_t d = int64_t(r) - 1; d >= 0; --d) {
      if (++idx[d] < out[d]) { off += inStride[d]; break; }
      off -= inStride[d] * (out[d] - 1);
      idx[d] = 0;
    }
  }
  return offsets;
}

std::pair<int64_t, int64_t> sliceAxis(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (dim == 0) return {0, 0};
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp(start, int64_t(0), dim);
    end = std::clamp(end, int64_t(0), dim);
    return {start, end > start ? (end - start - 1) / step + 1 : 0};
  }
  start = std::clamp(start, int64_t(0), dim - 1);
  end = std::clamp(end, int64_t(-1), dim - 1);
  return {start, start > end ? (start - end - 1) / -step + 1 : 0};
}

Dim mulDim(const Dim& a, const Dim& b) {
  if (a.known() && b.known()) return Dim(a.value * b.value);
  if (a.known() && a.value == 1) return b;
  if (b.known() && b.value == 1) return a;
  return Dim();
}

void inferSameAsInput(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  ctx.setOutput(0, x.type, x.dims);
}

}  // namespace kiln::ops
