// Operators that move elements around: Transpose, Concat, Split, Slice,
// Expand, Tile, Pad, DepthToSpace and SpaceToDepth. They move bytes and so
// take every data type.
#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>

#include "ops/common.h"

namespace kiln::ops {

namespace {

/// For every output element, in row-major order over the sizes of `offsets`,
/// copies the input element at the sum of offsets[d][index along d], or
/// `fill` where any of those offsets is negative (padding).
void gatherCopy(const HostTensor& in, HostTensor& out, const std::vector<std::vector<int64_t>>& offsets,
                const std::byte* fill = nullptr) {
  const size_t es = elementSize(out.type());
  const auto* src = static_cast<const std::byte*>(in.raw());
  auto* dst = static_cast<std::byte*>(out.raw());
  const size_t r = offsets.size();
  std::vector<size_t> idx(r, 0);
  for (int64_t k = 0; k < out.numel(); ++k) {
    int64_t off = 0;
    bool pad = false;
    for (size_t d = 0; d < r; ++d) {
      const int64_t o = offsets[d][idx[d]];
      pad = pad || o < 0;
      off += o;
    }
    std::memcpy(dst + size_t(k) * es, pad ? fill : src + size_t(off) * es, es);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < offsets[d].size()) break;
      idx[d] = 0;
    }
  }
}

/// Offsets j * stride for j in [0, size).
std::vector<int64_t> linearOffsets(int64_t size, int64_t stride) {
  std::vector<int64_t> o(static_cast<size_t>(size));
  for (int64_t j = 0; j < size; ++j) o[size_t(j)] = j * stride;
  return o;
}

/// The value of a 1-D integer input, or nullopt when it is unknown.
std::optional<std::vector<int64_t>> intsOf(const InferContext& ctx, size_t i) {
  if (const HostTensor* v = ctx.value(i)) return v->toInt64Vector();
  return std::nullopt;
}

// ---- Transpose ----------------------------------------------------------------------

std::vector<int64_t> permOf(const NodeContext& ctx, size_t rank) {
  std::vector<int64_t> perm(rank);
  std::iota(perm.rbegin(), perm.rend(), 0);
  perm = ctx.attrInts("perm", perm);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity) ctx.fail("perm is not a permutation of the " + std::to_string(rank) + " axes");
  return perm;
}

void inferTranspose(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, ctx.hasAttr("perm") ? Dims::unknownOfRank(ctx.attrInts("perm").size())
                                                 : Dims::unknownRank());
    return;
  }
  const auto perm = permOf(ctx, x.dims.rank());
  Dims out = Dims::unknownOfRank(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = x.dims[size_t(perm[i])];
  ctx.setOutput(0, x.type, out);
}

// out = x with its axes permuted; out has the permuted shape already.
void permuteInto(const HostTensor& x, const std::vector<int64_t>& perm, HostTensor& out) {
  const auto s = stridesOf(x.shape());
  std::vector<std::vector<int64_t>> offsets;
  for (int64_t p : perm) offsets.push_back(linearOffsets(x.shape()[size_t(p)], s[size_t(p)]));
  gatherCopy(x, out, offsets);
}

void computeTranspose(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  permuteInto(x, permOf(ctx, x.rank()), ctx.output(0));
}

// ---- Concat and Split --------------------------------------------------------------------

// Two dims that must be equal, merged: a known size wins over a symbol, which
// wins over an unnamed unknown.
Dim mergeEqualDims(const NodeContext& ctx, const Dim& a, const Dim& b) {
  if (a.known() && b.known() && a.value != b.value) {
    ctx.fail("sizes " + std::to_string(a.value) + " and " + std::to_string(b.value) + " do not match",
             ErrorCode::kShapeMismatch);
  }
  if (a.known()) return a;
  if (b.known() || a.symbol.empty()) return b;
  return a;
}

void inferConcat(InferContext& ctx) {
  const ValueInfo& first = ctx.input(0);
  const int64_t axisAttr = ctx.attrIntRequired("axis");
  Dims out = Dims::unknownRank();
  bool sumKnown = true;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    const ValueInfo& x = ctx.input(i);
    if (x.type != first.type) ctx.fail("inputs have different types", ErrorCode::kUnsupportedType);
    if (!x.dims.rankKnown) {
      sumKnown = false;
      continue;
    }
    if (!out.rankKnown) {
      out = x.dims;
      normalizeAxis(ctx, axisAttr, int64_t(out.rank()));
      continue;
    }
    if (x.dims.rank() != out.rank()) {
      ctx.fail("inputs have ranks " + std::to_string(out.rank()) + " and " + std::to_string(x.dims.rank()),
               ErrorCode::kShapeMismatch);
    }
    const size_t axis = size_t(normalizeAxis(ctx, axisAttr, int64_t(out.rank())));
    for (size_t d = 0; d < out.rank(); ++d) {
      if (d == axis) out[d] = out[d].known() && x.dims[d].known() ? Dim(out[d].value + x.dims[d].value) : Dim();
      else out[d] = mergeEqualDims(ctx, out[d], x.dims[d]);
    }
  }
  if (out.rankKnown && !sumKnown) out[size_t(normalizeAxis(ctx, axisAttr, int64_t(out.rank())))] = Dim();
  ctx.setOutput(0, first.type, out);
}

void computeConcat(ComputeContext& ctx) {
  HostTensor& y = ctx.output(0);
  const size_t axis = size_t(normalizeAxis(ctx, ctx.attrIntRequired("axis"), int64_t(y.rank())));
  const size_t es = elementSize(y.type());
  const int64_t outer = numelOf({y.shape().begin(), y.shape().begin() + int64_t(axis)});
  const int64_t inner = numelOf({y.shape().begin() + int64_t(axis) + 1, y.shape().end()});
  auto* dst = static_cast<std::byte*>(y.raw());
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < ctx.numInputs(); ++i) {
      const HostTensor& x = ctx.input(i);
      const size_t chunk = size_t(x.shape()[axis] * inner) * es;
      std::memcpy(dst, static_cast<const std::byte*>(x.raw()) + size_t(o) * chunk, chunk);
      dst += chunk;
    }
  }
}

// The sizes of Split's outputs along the axis, given the axis size and the
// split values (an attribute before opset 13, an input after; null when not
// given). Without them the parts are equal, the last one smaller if need be.
std::vector<int64_t> splitSizes(const NodeContext& ctx, int64_t dim, const std::vector<int64_t>* split,
                                size_t numOutputs) {
  if (split) {
    if (split->size() != numOutputs) {
      ctx.fail("split has " + std::to_string(split->size()) + " entries for " + std::to_string(numOutputs) +
               " outputs");
    }
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0) ctx.fail("split has a negative size");
      sum += s;
    }
    if (dim >= 0 && sum != dim) {
      ctx.fail("split sizes add up to " + std::to_string(sum) + ", not the axis size " + std::to_string(dim),
               ErrorCode::kShapeMismatch);
    }
    return *split;
  }
  if (ctx.opset() >= 18 && ctx.hasAttr("num_outputs") && ctx.attrInt("num_outputs", 0) != int64_t(numOutputs)) {
    ctx.fail("num_outputs is " + std::to_string(ctx.attrInt("num_outputs", 0)) + " but the node has " +
             std::to_string(numOutputs) + " outputs");
  }
  const int64_t n = int64_t(numOutputs);
  const int64_t chunk = (dim + n - 1) / n;
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i < n; ++i) sizes.push_back(std::clamp(dim - i * chunk, int64_t(0), chunk));
  return sizes;
}

void inferSplit(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  const size_t n = ctx.numOutputs();
  if (!x.dims.rankKnown) {
    for (size_t i = 0; i < n; ++i) ctx.setOutput(i, x.type, Dims::unknownRank());
    return;
  }
  const size_t axis = size_t(normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(x.dims.rank())));
  const Dim& dim = x.dims[axis];
  std::optional<std::vector<int64_t>> split;
  bool splitUnknown = false;
  if (ctx.opset() < 13 && ctx.hasAttr("split")) {
    split = ctx.attrInts("split");
  } else if (ctx.opset() >= 13 && ctx.hasInput(1)) {
    ctx.expectType(1, {DataType::kInt64});
    split = intsOf(ctx, 1);
    splitUnknown = !split;
  }
  std::vector<Dim> sizes(n, Dim());
  if (n == 1 && !split) {
    sizes[0] = dim;
  } else if (!splitUnknown && (split || dim.known())) {
    auto s = splitSizes(ctx, dim.value, split ? &*split : nullptr, n);
    for (size_t i = 0; i < n; ++i) sizes[i] = Dim(s[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    Dims out = x.dims;
    out[axis] = sizes[i];
    ctx.setOutput(i, x.type, out);
  }
}

void computeSplit(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const size_t axis = size_t(normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(x.rank())));
  std::optional<std::vector<int64_t>> split;
  if (ctx.opset() < 13 && ctx.hasAttr("split")) split = ctx.attrInts("split");
  else if (ctx.opset() >= 13 && ctx.hasInput(1)) split = ctx.input(1).toInt64Vector();
  const auto sizes = splitSizes(ctx, x.shape()[axis], split ? &*split : nullptr, ctx.numOutputs());
  const size_t es = elementSize(x.type());
  const int64_t outer = numelOf({x.shape().begin(), x.shape().begin() + int64_t(axis)});
  const int64_t inner = numelOf({x.shape().begin() + int64_t(axis) + 1, x.shape().end()});
  const size_t inRow = size_t(x.shape()[axis] * inner) * es;
  const auto* src = static_cast<const std::byte*>(x.raw());
  size_t start = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const size_t chunk = size_t(sizes[i] * inner) * es;
    if (!ctx.layer().outputs[i].empty()) {
      auto* dst = static_cast<std::byte*>(ctx.output(i).raw());
      for (int64_t o = 0; o < outer; ++o) std::memcpy(dst + size_t(o) * chunk, src + size_t(o) * inRow + start, chunk);
    }
    start += chunk;
  }
}

// ---- Slice ------------------------------------------------------------------------------

struct SliceParams {
  std::vector<int64_t> starts, ends, axes, steps;
};

// Slice's parameters: attributes before opset 10, inputs from then on (`read`
// gives an input's value, or nullopt when unknown). axes and steps get their
// defaults; axes are normalized.
template <class Read>
std::optional<SliceParams> sliceParams(const NodeContext& ctx, size_t rank, Read read) {
  SliceParams p;
  if (ctx.opset() < 10) {
    if (!ctx.hasAttr("starts") || !ctx.hasAttr("ends")) ctx.fail("starts and ends are required");
    p.starts = ctx.attrInts("starts");
    p.ends = ctx.attrInts("ends");
    p.axes = ctx.attrInts("axes");
  } else {
    auto starts = read(1), ends = read(2), axes = read(3), steps = read(4);
    if (!starts || !ends || !axes || !steps) return std::nullopt;
    p = {*starts, *ends, *axes, *steps};
  }
  const size_t n = p.starts.size();
  if (p.axes.empty()) {
    p.axes.resize(n);
    std::iota(p.axes.begin(), p.axes.end(), 0);
  }
  if (p.steps.empty()) p.steps.assign(n, 1);
  if (p.ends.size() != n || p.axes.size() != n || p.steps.size() != n) {
    ctx.fail("starts, ends, axes and steps have different lengths");
  }
  if (std::count(p.steps.begin(), p.steps.end(), 0) > 0) ctx.fail("a step is 0");
  p.axes = normalizeAxes(ctx, p.axes, int64_t(rank));
  return p;
}

void inferSlice(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  if (ctx.opset() >= 10 && (!ctx.hasInput(1) || !ctx.hasInput(2))) ctx.fail("starts and ends are required");
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownRank());
    return;
  }
  auto p = sliceParams(ctx, x.dims.rank(), [&](size_t i) -> std::optional<std::vector<int64_t>> {
    if (!ctx.hasInput(i)) return std::vector<int64_t>{};
    return intsOf(ctx, i);
  });
  if (!p) {
    ctx.setOutput(0, x.type, Dims::unknownOfRank(x.dims.rank()));
    return;
  }
  Dims out = x.dims;
  for (size_t k = 0; k < p->axes.size(); ++k) {
    Dim& d = out[size_t(p->axes[k])];
    const bool wholeAxis = p->starts[k] == 0 && p->steps[k] == 1 && p->ends[k] >= std::numeric_limits<int32_t>::max();
    if (d.known()) d = Dim(sliceAxis(d.value, p->starts[k], p->ends[k], p->steps[k]).second);
    else if (!wholeAxis) d = Dim();
  }
  ctx.setOutput(0, x.type, out);
}

void computeSlice(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  auto p = sliceParams(ctx, x.rank(), [&](size_t i) -> std::optional<std::vector<int64_t>> {
    const HostTensor* t = ctx.inputOrNull(i);
    return t ? t->toInt64Vector() : std::vector<int64_t>{};
  });
  const auto s = stridesOf(x.shape());
  std::vector<std::vector<int64_t>> offsets;
  for (size_t d = 0; d < x.rank(); ++d) offsets.push_back(linearOffsets(x.shape()[d], s[d]));
  for (size_t k = 0; k < p->axes.size(); ++k) {
    const size_t d = size_t(p->axes[k]);
    auto [start, count] = sliceAxis(x.shape()[d], p->starts[k], p->ends[k], p->steps[k]);
    offsets[d] = linearOffsets(count, p->steps[k] * s[d]);
    for (auto& o : offsets[d]) o += start * s[d];
  }
  gatherCopy(x, ctx.output(0), offsets);
}

// ---- Expand and Tile ------------------------------------------------------------------------

void inferExpand(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  ctx.expectType(1, {DataType::kInt64});
  if (auto shape = intsOf(ctx, 1)) {
    ctx.setOutput(0, x.type, broadcastDims(ctx, x.dims, Dims::of(*shape)));
    return;
  }
  const Dims& s = ctx.input(1).dims;
  const bool rankKnown = x.dims.rankKnown && s.rankKnown && s.rank() == 1 && s[0].known();
  ctx.setOutput(0, x.type, rankKnown ? Dims::unknownOfRank(std::max(x.dims.rank(), size_t(s[0].value)))
                                     : Dims::unknownRank());
}

void computeExpand(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  const auto off = broadcastOffsets(y.shape(), x.shape());
  const size_t es = elementSize(y.type());
  const auto* src = static_cast<const std::byte*>(x.raw());
  auto* dst = static_cast<std::byte*>(y.raw());
  for (size_t k = 0; k < off.size(); ++k) std::memcpy(dst + k * es, src + size_t(off[k]) * es, es);
}

void inferTile(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  ctx.expectType(1, {DataType::kInt64});
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownRank());
    return;
  }
  auto repeats = intsOf(ctx, 1);
  if (!repeats) {
    ctx.setOutput(0, x.type, Dims::unknownOfRank(x.dims.rank()));
    return;
  }
  if (repeats->size() != x.dims.rank()) {
    ctx.fail("repeats has " + std::to_string(repeats->size()) + " entries for rank " + std::to_string(x.dims.rank()));
  }
  Dims out = x.dims;
  for (size_t d = 0; d < out.rank(); ++d) {
    if ((*repeats)[d] < 0) ctx.fail("repeats has a negative entry");
    out[d] = mulDim(out[d], Dim((*repeats)[d]));
  }
  ctx.setOutput(0, x.type, out);
}

void computeTile(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const HostTensor& y = ctx.output(0);
  const auto s = stridesOf(x.shape());
  std::vector<std::vector<int64_t>> offsets;
  for (size_t d = 0; d < x.rank(); ++d) {
    std::vector<int64_t> o(size_t(y.shape()[d]));
    for (size_t j = 0; j < o.size(); ++j) o[j] = (int64_t(j) % x.shape()[d]) * s[d];
    offsets.push_back(std::move(o));
  }
  gatherCopy(x, ctx.output(0), offsets);
}

// ---- Pad --------------------------------------------------------------------------------------

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

PadMode padModeOf(const NodeContext& ctx) {
  const std::string mode = ctx.attrString("mode", "constant");
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "wrap" && ctx.opset() >= 19) return PadMode::kWrap;
  ctx.fail("unknown pad mode '" + mode + "'");
}

// Per-axis (begin, end) pads from `pads` and the optional `axes` (opset 18+).
std::vector<std::pair<int64_t, int64_t>> padsPerAxis(const NodeContext& ctx, size_t rank,
                                                     const std::vector<int64_t>& pads,
                                                     std::optional<std::vector<int64_t>> axes) {
  if (!axes) {
    axes.emplace(rank);
    std::iota(axes->begin(), axes->end(), 0);
  }
  if (pads.size() != 2 * axes->size()) {
    ctx.fail("pads has " + std::to_string(pads.size()) + " entries; expected " + std::to_string(2 * axes->size()));
  }
  std::vector<std::pair<int64_t, int64_t>> out(rank, {0, 0});
  const auto norm = normalizeAxes(ctx, *axes, int64_t(rank));
  for (size_t k = 0; k < norm.size(); ++k) out[size_t(norm[k])] = {pads[k], pads[k + norm.size()]};
  return out;
}

template <class Read>
std::optional<std::vector<std::pair<int64_t, int64_t>>> padsOf(const NodeContext& ctx, size_t rank, Read read) {
  if (ctx.opset() < 11) return padsPerAxis(ctx, rank, ctx.attrInts("pads"), std::nullopt);
  auto pads = read(1);
  if (!pads) return std::nullopt;
  std::optional<std::vector<int64_t>> axes;
  if (ctx.opset() >= 18) {
    axes = read(3);
    if (!axes) return std::nullopt;
    if (axes->empty()) axes.reset();
  }
  return padsPerAxis(ctx, rank, *pads, axes);
}

void inferPad(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  padModeOf(ctx);
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownRank());
    return;
  }
  auto pads = padsOf(ctx, x.dims.rank(), [&](size_t i) -> std::optional<std::vector<int64_t>> {
    if (!ctx.hasInput(i)) return std::vector<int64_t>{};
    return intsOf(ctx, i);
  });
  if (!pads) {
    ctx.setOutput(0, x.type, Dims::unknownOfRank(x.dims.rank()));
    return;
  }
  Dims out = x.dims;
  for (size_t d = 0; d < out.rank(); ++d) {
    auto [b, e] = (*pads)[d];
    if (out[d].known()) {
      if (out[d].value + b + e < 0) ctx.fail("pads crop axis " + std::to_string(d) + " below size 0", ErrorCode::kShapeMismatch);
      out[d] = Dim(out[d].value + b + e);
    } else if (b != 0 || e != 0) {
      out[d] = Dim();
    }
  }
  ctx.setOutput(0, x.type, out);
}

// The input index of output index j along one axis of size `dim` padded by
// (b, e), or -1 for the constant. Negative pads crop first; the modes then
// act on what is left, as numpy's pad does.
int64_t padSource(PadMode mode, int64_t j, int64_t dim, int64_t b, int64_t e) {
  const int64_t lo = std::max<int64_t>(0, -b);
  const int64_t n = dim - lo - std::max<int64_t>(0, -e);
  const int64_t i = j - std::max<int64_t>(0, b);
  auto mod = [](int64_t a, int64_t m) { return ((a % m) + m) % m; };
  if (i >= 0 && i < n) return lo + i;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: return lo + std::clamp(i, int64_t(0), n - 1);
    case PadMode::kWrap: return lo + mod(i, n);
    case PadMode::kReflect: {
      if (n == 1) return lo;
      const int64_t m = mod(i, 2 * (n - 1));
      return lo + (m < n ? m : 2 * (n - 1) - m);
    }
  }
  return -1;
}

void computePad(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  const PadMode mode = padModeOf(ctx);
  auto pads = *padsOf(ctx, x.rank(), [&](size_t i) -> std::optional<std::vector<int64_t>> {
    const HostTensor* t = ctx.inputOrNull(i);
    return t ? t->toInt64Vector() : std::vector<int64_t>{};
  });
  HostTensor fill(y.type(), {1});
  const HostTensor* value = ctx.opset() >= 11 ? ctx.inputOrNull(2) : nullptr;
  if (value && value->numel() > 0) std::memcpy(fill.raw(), value->raw(), elementSize(y.type()));
  else fill.setFromDouble(0, ctx.opset() < 11 ? ctx.attrFloat("value", 0.f) : 0.0);
  const auto s = stridesOf(x.shape());
  std::vector<std::vector<int64_t>> offsets;
  for (size_t d = 0; d < x.rank(); ++d) {
    auto [b, e] = pads[d];
    const int64_t kept = x.shape()[d] - std::max<int64_t>(0, -b) - std::max<int64_t>(0, -e);
    if (mode != PadMode::kConstant && kept <= 0 && y.shape()[d] > 0) {
      ctx.fail("cannot pad an empty axis in this mode", ErrorCode::kShapeMismatch);
    }
    std::vector<int64_t> o(size_t(y.shape()[d]));
    for (size_t j = 0; j < o.size(); ++j) {
      const int64_t src = padSource(mode, int64_t(j), x.shape()[d], b, e);
      o[j] = src < 0 ? -1 : src * s[d];
    }
    offsets.push_back(std::move(o));
  }
  gatherCopy(x, y, offsets, static_cast<const std::byte*>(fill.raw()));
}

// ---- DepthToSpace and SpaceToDepth ------------------------------------------------------------

int64_t blocksizeOf(const NodeContext& ctx) {
  const int64_t b = ctx.attrIntRequired("blocksize");
  if (b <= 0) ctx.fail("blocksize must be positive");
  return b;
}

void inferDepthToSpace(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  const int64_t b = blocksizeOf(ctx);
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownOfRank(4));
    return;
  }
  if (x.dims.rank() != 4) ctx.fail("the input must have rank 4, not " + std::to_string(x.dims.rank()));
  const std::string mode = ctx.attrString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") ctx.fail("unknown mode '" + mode + "'");
  Dims out = x.dims;
  if (x.dims[1].known()) {
    if (x.dims[1].value % (b * b) != 0) ctx.fail("channels are not divisible by blocksize^2", ErrorCode::kShapeMismatch);
    out[1] = Dim(x.dims[1].value / (b * b));
  } else {
    out[1] = Dim();
  }
  out[2] = mulDim(x.dims[2], Dim(b));
  out[3] = mulDim(x.dims[3], Dim(b));
  ctx.setOutput(0, x.type, out);
}

// Output [N, C', H*b, W*b] read as [N, C', H, b, W, b]; the input channel of
// (c, i, j) is (i*b + j)*C' + c in DCR mode and (c*b + i)*b + j in CRD mode.
void computeDepthToSpace(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const int64_t b = blocksizeOf(ctx);
  const bool crd = ctx.attrString("mode", "DCR") == "CRD";
  const auto& sh = x.shape();
  const int64_t c = sh[1] / (b * b);
  const auto s = stridesOf(sh);
  const int64_t sc = crd ? b * b * s[1] : s[1];
  const int64_t si = crd ? b * s[1] : b * c * s[1];
  const int64_t sj = crd ? s[1] : c * s[1];
  gatherCopy(x, ctx.output(0),
             {linearOffsets(sh[0], s[0]), linearOffsets(c, sc), linearOffsets(sh[2], s[2]), linearOffsets(b, si),
              linearOffsets(sh[3], s[3]), linearOffsets(b, sj)});
}

void inferSpaceToDepth(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  const int64_t b = blocksizeOf(ctx);
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownOfRank(4));
    return;
  }
  if (x.dims.rank() != 4) ctx.fail("the input must have rank 4, not " + std::to_string(x.dims.rank()));
  Dims out = x.dims;
  out[1] = mulDim(x.dims[1], Dim(b * b));
  for (size_t d = 2; d < 4; ++d) {
    if (!x.dims[d].known()) {
      out[d] = b == 1 ? x.dims[d] : Dim();
      continue;
    }
    if (x.dims[d].value % b != 0) ctx.fail("spatial size is not divisible by blocksize", ErrorCode::kShapeMismatch);
    out[d] = Dim(x.dims[d].value / b);
  }
  ctx.setOutput(0, x.type, out);
}

// Output [N, C*b*b, H/b, W/b] read as [N, b, b, C, H/b, W/b]: element
// (n, i, j, c, h, w) comes from input (n, c, h*b + i, w*b + j).
void computeSpaceToDepth(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const int64_t b = blocksizeOf(ctx);
  const auto& sh = x.shape();
  const auto s = stridesOf(sh);
  gatherCopy(x, ctx.output(0),
             {linearOffsets(sh[0], s[0]), linearOffsets(b, s[2]), linearOffsets(b, s[3]), linearOffsets(sh[1], s[1]),
              linearOffsets(sh[2] / b, b * s[2]), linearOffsets(sh[3] / b, b * s[3])});
}

}  // namespace

HostTensor permuteTensor(const HostTensor& t, const std::vector<int64_t>& perm) {
  std::vector<int64_t> shape;
  for (int64_t p : perm) shape.push_back(t.shape().at(size_t(p)));
  HostTensor r(t.type(), shape);
  permuteInto(t, perm, r);
  return r;
}

void registerLayoutOps(OpRegistry& r) {
  r.add({"Transpose", "", 1, 1, 1, 1, 1, inferTranspose, computeTranspose});
  r.add({"Concat", "", 4, 1, 1 << 16, 1, 1, inferConcat, computeConcat});
  r.add({"Split", "", 2, 1, 2, 1, 1 << 16, inferSplit, computeSplit});
  r.add({"Slice", "", 1, 1, 5, 1, 1, inferSlice, computeSlice});
  r.add({"Expand", "", 8, 2, 2, 1, 1, inferExpand, computeExpand});
  r.add({"Tile", "", 6, 2, 2, 1, 1, inferTile, computeTile});
  r.add({"Pad", "", 2, 1, 4, 1, 1, inferPad, computePad});
  r.add({"DepthToSpace", "", 1, 1, 1, 1, 1, inferDepthToSpace, computeDepthToSpace});
  r.add({"SpaceToDepth", "", 1, 1, 1, 1, 1, inferSpaceToDepth, computeSpaceToDepth});
}

}  // namespace kiln::ops
