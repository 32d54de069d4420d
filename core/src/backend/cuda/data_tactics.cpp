// Data movement on the GPU: the reshaping ops as device copies, and
// Transpose, Slice, Concat, Split, Expand, Tile, Pad, DepthToSpace and
// SpaceToDepth as one mapped-copy kernel (any element type, by byte size);
// ConstantOfShape and Range as fills.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>

#include "backend/cuda/layer_view.h"
#include "cuda/copy.cuh"
#include "ops/common.h"

namespace kiln::backend::cuda {

namespace {

namespace kc = kernels::cuda;
using kc::AxisMode;
using kc::MapCopyParams;

int byteSizeOf(DataType t) {
  const size_t es = elementSize(t);
  if (es != 1 && es != 2 && es != 4 && es != 8) unsupported(std::string("element type ") + toString(t));
  return int(es);
}

void checkRank(size_t rank) {
  if (rank > size_t(kc::kMaxRank)) {
    unsupported("rank " + std::to_string(rank) + " exceeds the kernels' " + std::to_string(kc::kMaxRank));
  }
}

/// A copy of a tensor with `rank` axes into a contiguous output: fills in
/// the output strides from the axis sizes.
void setRowMajorDst(MapCopyParams& p) {
  int64_t s = 1;
  for (int d = p.rank - 1; d >= 0; --d) {
    p.dstStrides[d] = s;
    s *= p.axes[d].size;
  }
}

void runMapCopy(const MapCopyParams& p, const void* src, void* dst, const Launch* launch) {
  if (!launch) return;
  checkLaunch(kc::mapCopy(p, src, dst, launch->stream), "kernels::cuda::mapCopy");
}

// Identity: every axis of x read in order.
MapCopyParams identityMap(const std::vector<int64_t>& shape, int elemBytes) {
  checkRank(shape.size());
  MapCopyParams p;
  p.rank = int(shape.size());
  p.elemBytes = elemBytes;
  const auto s = rowMajorStrides(shape);
  for (size_t d = 0; d < shape.size(); ++d) {
    p.axes[d].size = shape[d];
    p.axes[d].stride = s[d];
  }
  setRowMajorDst(p);
  return p;
}

// ---- Reshape, Flatten, Squeeze, Unsqueeze, Identity --------------------------------------

void copyOp(const LayerView& v, const Launch* launch) {
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& y = v.out(0);
  if (x.type != y.type || numelOf(x.shape) != numelOf(y.shape)) unsupported("input and output sizes differ");
  if (!launch) return;
  const size_t bytes = size_t(numelOf(x.shape)) * elementSize(x.type);
  if (bytes == 0 || x.data == y.data) return;
  KILN_CUDA_CHECK(cudaMemcpyAsync(y.data, x.data, bytes, cudaMemcpyDeviceToDevice, launch->stream));
}

// ---- Transpose --------------------------------------------------------------------------

void transposeOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const size_t rank = x.shape.size();
  checkRank(rank);
  std::vector<int64_t> perm(rank);
  std::iota(perm.rbegin(), perm.rend(), 0);
  perm = ctx.attrInts("perm", perm);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted.size() != rank || sorted[i] != int64_t(i)) unsupported("perm is not a permutation of the axes");
  }
  const auto s = rowMajorStrides(x.shape);
  MapCopyParams p;
  p.rank = int(rank);
  p.elemBytes = byteSizeOf(x.type);
  for (size_t d = 0; d < rank; ++d) {
    p.axes[d].size = x.shape[size_t(perm[d])];
    p.axes[d].stride = s[size_t(perm[d])];
  }
  setRowMajorDst(p);
  runMapCopy(p, x.data, v.out(0).data, launch);
}

// ---- Slice ------------------------------------------------------------------------------

void sliceOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const size_t rank = x.shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (v.opset < 10) {
    starts = ctx.attrInts("starts");
    ends = ctx.attrInts("ends");
    axes = ctx.attrInts("axes");
  } else {
    starts = v.hostInts(1, "starts");
    ends = v.hostInts(2, "ends");
    axes = v.hostInts(3, "axes");
    steps = v.hostInts(4, "steps");
  }
  const size_t n = starts.size();
  if (axes.empty()) {
    axes.resize(n);
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty()) steps.assign(n, 1);
  if (ends.size() != n || axes.size() != n || steps.size() != n) unsupported("starts, ends, axes and steps differ in length");
  if (std::count(steps.begin(), steps.end(), 0) > 0) unsupported("a step is 0");
  axes = ops::normalizeAxes(ctx, axes, int64_t(rank));
  MapCopyParams p = identityMap(x.shape, byteSizeOf(x.type));
  for (size_t k = 0; k < n; ++k) {
    const size_t d = size_t(axes[k]);
    auto [start, count] = ops::sliceAxis(x.shape[d], starts[k], ends[k], steps[k]);
    // the kernel reads a negative index as padding, so a backward slice must
    // count from its first element, not from an offset base
    p.axes[d].size = count;
    p.axes[d].start = start;
    p.axes[d].step = steps[k];
  }
  setRowMajorDst(p);
  int64_t count = 1;
  for (int d = 0; d < p.rank; ++d) count *= p.axes[d].size;
  if (count != numelOf(v.out(0).shape)) unsupported("the slice does not match the output shape");
  runMapCopy(p, x.data, v.out(0).data, launch);
}

// ---- Concat and Split ------------------------------------------------------------------------

void concatOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& y = v.out(0);
  const size_t axis = size_t(ops::normalizeAxis(ctx, ctx.attrIntRequired("axis"), int64_t(y.shape.size())));
  const int eb = byteSizeOf(y.type);
  const int64_t outer = productOf(y.shape, 0, axis);
  const int64_t inner = productOf(y.shape, axis + 1, y.shape.size());
  int64_t offset = 0;
  for (size_t i = 0; i < v.layer.inputs.size(); ++i) {
    const DeviceTensor& x = v.in(i);
    if (x.type != y.type || x.shape.size() != y.shape.size()) unsupported("inputs differ in type or rank");
    const int64_t len = x.shape[axis];
    MapCopyParams p;
    p.rank = 3;
    p.elemBytes = eb;
    p.axes[0].size = outer;
    p.axes[0].stride = len * inner;
    p.axes[1].size = len;
    p.axes[1].stride = inner;
    p.axes[2].size = inner;
    p.axes[2].stride = 1;
    p.dstStrides[0] = y.shape[axis] * inner;
    p.dstStrides[1] = inner;
    p.dstStrides[2] = 1;
    p.dstOffset = offset * inner;
    offset += len;
    if (len > 0) runMapCopy(p, x.data, y.data, launch);
  }
  if (offset != y.shape[axis]) unsupported("the inputs do not add up to the output");
}

// As the reference: the sizes of Split's parts.
std::vector<int64_t> splitSizes(const ops::NodeContext& ctx, int64_t dim, const std::vector<int64_t>* split,
                                size_t numOutputs) {
  if (split) {
    if (split->size() != numOutputs) unsupported("split has a size per output missing");
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0) unsupported("split has a negative size");
      sum += s;
    }
    if (sum != dim) unsupported("split sizes do not add up to the axis size");
    return *split;
  }
  (void)ctx;
  const int64_t n = int64_t(numOutputs);
  const int64_t chunk = (dim + n - 1) / n;
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i < n; ++i) sizes.push_back(std::clamp(dim - i * chunk, int64_t(0), chunk));
  return sizes;
}

void splitOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const size_t axis = size_t(ops::normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(x.shape.size())));
  std::optional<std::vector<int64_t>> split;
  if (v.opset < 13 && ctx.hasAttr("split")) split = ctx.attrInts("split");
  else if (v.opset >= 13 && v.hasInput(1)) split = v.hostInts(1, "split");
  const auto sizes = splitSizes(ctx, x.shape[axis], split ? &*split : nullptr, v.layer.outputs.size());
  const int eb = byteSizeOf(x.type);
  const int64_t outer = productOf(x.shape, 0, axis);
  const int64_t inner = productOf(x.shape, axis + 1, x.shape.size());
  int64_t start = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (v.hasOutput(i) && sizes[i] > 0) {
      MapCopyParams p;
      p.rank = 3;
      p.elemBytes = eb;
      p.axes[0].size = outer;
      p.axes[0].stride = x.shape[axis] * inner;
      p.axes[1].size = sizes[i];
      p.axes[1].stride = inner;
      p.axes[2].size = inner;
      p.axes[2].stride = 1;
      p.srcOffset = start * inner;
      setRowMajorDst(p);
      if (numelOf(v.out(i).shape) != outer * sizes[i] * inner) unsupported("a part does not match its output");
      runMapCopy(p, x.data, v.out(i).data, launch);
    }
    start += sizes[i];
  }
}

// ---- Expand and Tile ----------------------------------------------------------------------

void expandOp(const LayerView& v, const Launch* launch) {
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& y = v.out(0);
  checkRank(y.shape.size());
  if (x.shape.size() > y.shape.size()) unsupported("the input has a higher rank than the output");
  const auto s = rowMajorStrides(x.shape);
  MapCopyParams p;
  p.rank = int(y.shape.size());
  p.elemBytes = byteSizeOf(x.type);
  const size_t lead = y.shape.size() - x.shape.size();
  for (size_t d = 0; d < y.shape.size(); ++d) {
    p.axes[d].size = y.shape[d];
    if (d < lead) continue;
    const int64_t xd = x.shape[d - lead];
    if (xd != y.shape[d] && xd != 1) unsupported("the input does not broadcast to the output");
    p.axes[d].stride = xd == 1 ? 0 : s[d - lead];
  }
  setRowMajorDst(p);
  runMapCopy(p, x.data, y.data, launch);
}

void tileOp(const LayerView& v, const Launch* launch) {
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& y = v.out(0);
  checkRank(x.shape.size());
  if (x.shape.size() != y.shape.size()) unsupported("input and output ranks differ");
  const auto s = rowMajorStrides(x.shape);
  MapCopyParams p;
  p.rank = int(x.shape.size());
  p.elemBytes = byteSizeOf(x.type);
  for (size_t d = 0; d < x.shape.size(); ++d) {
    p.axes[d].size = y.shape[d];
    p.axes[d].stride = s[d];
    p.axes[d].mode = AxisMode::kTile;
    p.axes[d].inSize = x.shape[d];
    if (x.shape[d] == 0 && y.shape[d] != 0) unsupported("tiles an empty axis");
  }
  setRowMajorDst(p);
  runMapCopy(p, x.data, y.data, launch);
}

// ---- Pad ------------------------------------------------------------------------------------

AxisMode padModeOf(const ops::NodeContext& ctx) {
  const std::string mode = ctx.attrString("mode", "constant");
  if (mode == "constant") return AxisMode::kPadConstant;
  if (mode == "reflect") return AxisMode::kPadReflect;
  if (mode == "edge") return AxisMode::kPadEdge;
  if (mode == "wrap" && ctx.opset() >= 19) return AxisMode::kPadWrap;
  unsupported("unknown pad mode '" + mode + "'");
}

void padOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& y = v.out(0);
  const size_t rank = x.shape.size();
  checkRank(rank);
  const AxisMode mode = padModeOf(ctx);
  std::vector<int64_t> pads;
  std::vector<int64_t> axes;
  if (v.opset < 11) {
    pads = ctx.attrInts("pads");
  } else {
    pads = v.hostInts(1, "pads");
    if (v.opset >= 18) axes = v.hostInts(3, "axes");
  }
  if (axes.empty()) {
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (pads.size() != 2 * axes.size()) unsupported("pads has the wrong number of entries");
  axes = ops::normalizeAxes(ctx, axes, int64_t(rank));
  std::vector<std::pair<int64_t, int64_t>> perAxis(rank, {0, 0});
  for (size_t k = 0; k < axes.size(); ++k) perAxis[size_t(axes[k])] = {pads[k], pads[k + axes.size()]};
  // The fill element, in the output's type.
  HostTensor fill(y.type, {1});
  if (v.opset >= 11 && v.hasInput(2)) {
    const HostTensor& value = v.hostValue(2, "constant_value");
    if (value.numel() > 0) {
      if (value.type() != y.type) unsupported("constant_value has another type than the data");
      std::memcpy(fill.raw(), value.raw(), elementSize(y.type));
    } else {
      fill.setFromDouble(0, 0.0);
    }
  } else {
    fill.setFromDouble(0, v.opset < 11 ? ctx.attrFloat("value", 0.f) : 0.0);
  }
  MapCopyParams p;
  p.rank = int(rank);
  p.elemBytes = byteSizeOf(x.type);
  std::memcpy(&p.fill, fill.raw(), size_t(p.elemBytes));
  const auto s = rowMajorStrides(x.shape);
  for (size_t d = 0; d < rank; ++d) {
    auto [b, e] = perAxis[d];
    const int64_t kept = x.shape[d] - std::max<int64_t>(0, -b) - std::max<int64_t>(0, -e);
    if (y.shape[d] != x.shape[d] + b + e) unsupported("the pads do not match the output shape");
    if (mode != AxisMode::kPadConstant && kept <= 0 && y.shape[d] > 0) unsupported("cannot pad an empty axis in this mode");
    p.axes[d].size = y.shape[d];
    p.axes[d].stride = s[d];
    p.axes[d].mode = mode;
    p.axes[d].inSize = x.shape[d];
    p.axes[d].padBegin = b;
    p.axes[d].padEnd = e;
  }
  setRowMajorDst(p);
  runMapCopy(p, x.data, y.data, launch);
}

// ---- DepthToSpace and SpaceToDepth --------------------------------------------------------------

int64_t blocksizeOf(const ops::NodeContext& ctx) {
  const int64_t b = ctx.attrIntRequired("blocksize");
  if (b <= 0) unsupported("blocksize must be positive");
  return b;
}

MapCopyParams sixAxes(const int64_t (&size)[6], const int64_t (&stride)[6], int elemBytes) {
  MapCopyParams p;
  p.rank = 6;
  p.elemBytes = elemBytes;
  for (int d = 0; d < 6; ++d) {
    p.axes[d].size = size[d];
    p.axes[d].stride = stride[d];
  }
  setRowMajorDst(p);
  return p;
}

void depthToSpaceOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const int64_t b = blocksizeOf(ctx);
  const std::string mode = ctx.attrString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") unsupported("unknown mode '" + mode + "'");
  const bool crd = mode == "CRD";
  const auto& sh = x.shape;
  if (sh.size() != 4 || sh[1] % (b * b) != 0) unsupported("needs a rank-4 input with channels divisible by blocksize^2");
  const int64_t c = sh[1] / (b * b);
  const auto s = rowMajorStrides(sh);
  const int64_t sc = crd ? b * b * s[1] : s[1];
  const int64_t si = crd ? b * s[1] : b * c * s[1];
  const int64_t sj = crd ? s[1] : c * s[1];
  const MapCopyParams p = sixAxes({sh[0], c, sh[2], b, sh[3], b}, {s[0], sc, s[2], si, s[3], sj}, byteSizeOf(x.type));
  runMapCopy(p, x.data, v.out(0).data, launch);
}

void spaceToDepthOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const int64_t b = blocksizeOf(ctx);
  const auto& sh = x.shape;
  if (sh.size() != 4 || sh[2] % b != 0 || sh[3] % b != 0) unsupported("needs a rank-4 input with spatial sizes divisible by blocksize");
  const auto s = rowMajorStrides(sh);
  const MapCopyParams p =
      sixAxes({sh[0], b, b, sh[1], sh[2] / b, sh[3] / b}, {s[0], s[2], s[3], s[1], b * s[2], b * s[3]}, byteSizeOf(x.type));
  runMapCopy(p, x.data, v.out(0).data, launch);
}

// ---- ConstantOfShape and Range ---------------------------------------------------------------------

void constantOfShapeOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& y = v.out(0);
  const HostTensor* value = ctx.attrTensor("value");
  HostTensor zero(DataType::kFloat32, {1});
  if (!value) {
    zero.setFromDouble(0, 0.0);
    value = &zero;
  }
  if (value->numel() != 1 || value->type() != y.type) unsupported("value must be one element of the output's type");
  const int eb = byteSizeOf(y.type);
  uint64_t bits = 0;
  std::memcpy(&bits, value->raw(), size_t(eb));
  if (!launch) return;
  checkLaunch(kc::fillElements(y.data, numelOf(y.shape), eb, bits, launch->stream), "kernels::cuda::fillElements");
}

void rangeOp(const LayerView& v, const Launch* launch) {
  const DeviceTensor& y = v.out(0);
  const HostTensor& start = v.hostValue(0, "start");
  const HostTensor& delta = v.hostValue(2, "delta");
  v.hostValue(1, "limit");
  if (start.numel() != 1 || delta.numel() != 1) unsupported("start and delta must be scalars");
  const kc::ElemType t = kernelElemType(y.type);
  if (t != kc::ElemType::kF32 && t != kc::ElemType::kF64 && t != kc::ElemType::kI32 && t != kc::ElemType::kI64) {
    unsupported(std::string("Range of ") + toString(y.type));
  }
  if (!launch) return;
  checkLaunch(kc::rangeFill(y.data, numelOf(y.shape), t, start.getAsDouble(0), delta.getAsDouble(0),
                            start.getAsInt64(0), delta.getAsInt64(0), launch->stream),
              "kernels::cuda::rangeFill");
}

}  // namespace

void registerDataTactics(CudaTacticRegistry& r) {
  addFn(r, {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"}, "cuda.data.copy", copyOp);
  addFn(r, {"Transpose"}, "cuda.data.transpose", transposeOp);
  addFn(r, {"Slice"}, "cuda.data.slice", sliceOp);
  addFn(r, {"Concat"}, "cuda.data.concat", concatOp);
  addFn(r, {"Split"}, "cuda.data.split", splitOp);
  addFn(r, {"Expand"}, "cuda.data.expand", expandOp);
  addFn(r, {"Tile"}, "cuda.data.tile", tileOp);
  addFn(r, {"Pad"}, "cuda.data.pad", padOp);
  addFn(r, {"DepthToSpace"}, "cuda.data.depth-to-space", depthToSpaceOp);
  addFn(r, {"SpaceToDepth"}, "cuda.data.space-to-depth", spaceToDepthOp);
  addFn(r, {"ConstantOfShape"}, "cuda.data.constant-of-shape", constantOfShapeOp);
  addFn(r, {"Range"}, "cuda.data.range", rangeOp);
}

}  // namespace kiln::backend::cuda
