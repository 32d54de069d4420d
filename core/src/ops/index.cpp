// Indexing operators: Gather, GatherElements, TopK, CumSum and Trilu.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

#include "ops/common.h"

namespace kiln::ops {

namespace {

const std::initializer_list<DataType> kIndexTypes = {DataType::kInt32, DataType::kInt64};

// An index read from an index tensor, made non-negative and checked against
// the size of the axis it addresses.
int64_t checkedIndex(const NodeContext& ctx, const HostTensor& indices, int64_t i, int64_t size) {
  int64_t v = indices.getAsInt64(i);
  int64_t k = v < 0 ? v + size : v;
  if (k < 0 || k >= size) {
    ctx.fail("index " + std::to_string(v) + " is out of range for an axis of size " + std::to_string(size));
  }
  return k;
}

// ---- Gather ------------------------------------------------------------------

void inferGather(InferContext& ctx) {
  ctx.expectType(1, kIndexTypes);
  const ValueInfo& data = ctx.input(0);
  const ValueInfo& indices = ctx.input(1);
  if (!data.dims.rankKnown || !indices.dims.rankKnown) {
    ctx.setOutput(0, data.type, Dims::unknownRank());
    return;
  }
  const int64_t rank = int64_t(data.dims.rank());
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", 0), rank);
  Dims out;
  for (int64_t d = 0; d < axis; ++d) out.d.push_back(data.dims[size_t(d)]);
  for (const Dim& d : indices.dims.d) out.d.push_back(d);
  for (int64_t d = axis + 1; d < rank; ++d) out.d.push_back(data.dims[size_t(d)]);
  ctx.setOutput(0, data.type, out);
}

void computeGather(ComputeContext& ctx) {
  const HostTensor& data = ctx.input(0);
  const HostTensor& indices = ctx.input(1);
  HostTensor& y = ctx.output(0);
  const auto& shape = data.shape();
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(shape.size()));
  const int64_t outer = numelOf({shape.begin(), shape.begin() + axis});
  const int64_t inner = numelOf({shape.begin() + axis + 1, shape.end()});
  const int64_t axisSize = shape[size_t(axis)];
  const size_t chunk = size_t(inner) * elementSize(data.type());
  const auto* src = static_cast<const std::byte*>(data.raw());
  auto* dst = static_cast<std::byte*>(y.raw());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < indices.numel(); ++i) {
      int64_t k = checkedIndex(ctx, indices, i, axisSize);
      std::memcpy(dst, src + size_t(o * axisSize + k) * chunk, chunk);
      dst += chunk;
    }
  }
}

// ---- GatherElements ------------------------------------------------------------

void inferGatherElements(InferContext& ctx) {
  ctx.expectType(1, kIndexTypes);
  const ValueInfo& data = ctx.input(0);
  const ValueInfo& indices = ctx.input(1);
  if (data.dims.rankKnown && indices.dims.rankKnown) {
    ctx.check(data.dims.rank() == indices.dims.rank(), "data and indices must have the same rank");
    normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(data.dims.rank()));
  }
  ctx.setOutput(0, data.type, indices.dims);
}

void computeGatherElements(ComputeContext& ctx) {
  const HostTensor& data = ctx.input(0);
  const HostTensor& indices = ctx.input(1);
  HostTensor& y = ctx.output(0);
  const size_t rank = data.rank();
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(rank));
  const auto dataStrides = stridesOf(data.shape());
  const auto& idxShape = indices.shape();
  const size_t es = elementSize(data.type());
  const auto* src = static_cast<const std::byte*>(data.raw());
  auto* dst = static_cast<std::byte*>(y.raw());
  std::vector<int64_t> pos(rank, 0);
  for (int64_t i = 0; i < indices.numel(); ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < rank; ++d) {
      int64_t c = int64_t(d) == axis ? checkedIndex(ctx, indices, i, data.shape()[d]) : pos[d];
      off += c * dataStrides[d];
    }
    std::memcpy(dst + size_t(i) * es, src + size_t(off) * es, es);
    for (size_t d = rank; d-- > 0;) {
      if (++pos[d] < idxShape[d]) break;
      pos[d] = 0;
    }
  }
}

// ---- TopK --------------------------------------------------------------------------

// k is an attribute before opset 10 and a one-element input from then on; -1
// when not known yet.
int64_t topKCount(InferContext& ctx) {
  if (ctx.opset() < 10) return ctx.attrIntRequired("k");
  const HostTensor* k = ctx.value(1);
  if (!k) return -1;
  ctx.check(k->numel() == 1, "K must hold exactly one value");
  return k->getAsInt64(0);
}

void inferTopK(InferContext& ctx) {
  if (ctx.opset() >= 10) {
    ctx.check(ctx.hasInput(1), "input K is required from opset 10");
    ctx.expectType(1, {DataType::kInt64});
  }
  const ValueInfo& x = ctx.input(0);
  if (x.type == DataType::kBool) ctx.fail("bool input is not supported", ErrorCode::kUnsupportedType);
  Dims out = x.dims;
  if (out.rankKnown) {
    const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", -1), int64_t(out.rank()));
    const int64_t k = topKCount(ctx);
    Dim& d = out[size_t(axis)];
    if (k >= 0) {
      ctx.check(!d.known() || k <= d.value, "K (" + std::to_string(k) + ") exceeds the axis size");
      d = Dim(k);
    } else {
      d = Dim();
    }
  }
  ctx.setOutput(0, x.type, out);
  ctx.setOutput(1, DataType::kInt64, out);
}

// A strict order in which NaN ranks above every number, so sorting stays
// well defined when NaNs are present.
template <class A>
bool ranksAbove(A a, A b) {
  if constexpr (std::is_floating_point_v<A>) {
    if (std::isnan(a) || std::isnan(b)) return !std::isnan(b);
  }
  return a > b;
}

void computeTopK(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& values = ctx.output(0);
  int64_t* outIdx = ctx.output(1).data<int64_t>();
  const auto& shape = x.shape();
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", -1), int64_t(shape.size()));
  const bool largest = ctx.attrInt("largest", 1) != 0;
  const int64_t n = shape[size_t(axis)];
  const int64_t k = values.shape()[size_t(axis)];
  const int64_t outer = numelOf({shape.begin(), shape.begin() + axis});
  const int64_t inner = numelOf({shape.begin() + axis + 1, shape.end()});
  dispatchNumeric(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = values.data<T>();
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < inner; ++j) {
        auto at = [&](int64_t i) { return load(in[(o * n + i) * inner + j]); };
        std::iota(order.begin(), order.end(), 0);
        // Stable, so equal values keep the lower index first.
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
          return largest ? ranksAbove(at(a), at(b)) : ranksAbove(at(b), at(a));
        });
        for (int64_t i = 0; i < k; ++i) {
          const int64_t dst = (o * k + i) * inner + j;
          out[dst] = in[(o * n + order[size_t(i)]) * inner + j];
          outIdx[dst] = order[size_t(i)];
        }
      }
    }
  });
}

// ---- CumSum ------------------------------------------------------------------------

void inferCumSum(InferContext& ctx) {
  ctx.expectType(1, kIndexTypes);
  const HostTensor* axis = ctx.value(1);
  if (axis) ctx.check(axis->numel() == 1, "axis must hold exactly one value");
  inferSameAsInput(ctx);
}

void computeCumSum(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  const auto& shape = x.shape();
  const int64_t axis = normalizeAxis(ctx, ctx.input(1).getAsInt64(0), int64_t(shape.size()));
  const bool exclusive = ctx.attrInt("exclusive", 0) != 0;
  const bool reverse = ctx.attrInt("reverse", 0) != 0;
  const int64_t n = shape[size_t(axis)];
  const int64_t outer = numelOf({shape.begin(), shape.begin() + axis});
  const int64_t inner = numelOf({shape.begin() + axis + 1, shape.end()});
  dispatchNumeric(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < inner; ++j) {
        Acc<T> sum = 0;
        for (int64_t s = 0; s < n; ++s) {
          const int64_t i = reverse ? n - 1 - s : s;
          const int64_t at = (o * n + i) * inner + j;
          if (exclusive) {
            out[at] = store<T>(sum);
            sum += load(in[at]);
          } else {
            sum += load(in[at]);
            out[at] = store<T>(sum);
          }
        }
      }
    }
  });
}

// ---- Trilu -------------------------------------------------------------------------

void inferTrilu(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  if (x.dims.rankKnown) ctx.check(x.dims.rank() >= 2, "input must have rank 2 or more");
  if (ctx.hasInput(1)) ctx.expectType(1, {DataType::kInt64});
  inferSameAsInput(ctx);
}

void computeTrilu(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  const HostTensor* kIn = ctx.inputOrNull(1);
  const int64_t k = kIn ? kIn->getAsInt64(0) : 0;
  const bool upper = ctx.attrInt("upper", 1) != 0;
  const auto& shape = x.shape();
  const int64_t rows = shape[shape.size() - 2];
  const int64_t cols = shape[shape.size() - 1];
  const size_t es = elementSize(x.type());
  const auto* src = static_cast<const std::byte*>(x.raw());
  auto* dst = static_cast<std::byte*>(y.raw());
  // The output starts zero-filled; copy only the kept elements.
  for (int64_t m = 0; m < x.numel() / std::max<int64_t>(rows * cols, 1); ++m) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) {
        const bool keep = upper ? c - r >= k : c - r <= k;
        if (!keep) continue;
        const size_t at = size_t((m * rows + r) * cols + c) * es;
        std::memcpy(dst + at, src + at, es);
      }
    }
  }
}

}  // namespace

void registerIndexOps(OpRegistry& r) {
  r.add({"Gather", "", 1, 2, 2, 1, 1, inferGather, computeGather});
  r.add({"GatherElements", "", 11, 2, 2, 1, 1, inferGatherElements, computeGatherElements});
  r.add({"TopK", "", 1, 1, 2, 2, 2, inferTopK, computeTopK});
  r.add({"CumSum", "", 11, 2, 2, 1, 1, inferCumSum, computeCumSum});
  r.add({"Trilu", "", 14, 1, 2, 1, 1, inferTrilu, computeTrilu});
}

}  // namespace kiln::ops
