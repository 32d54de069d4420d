// Indexing and resampling on the GPU: Gather, GatherElements, Trilu, CumSum,
// TopK, Resize and Upsample. Index tensors stay on the device; their values
// are checked by the kernels.
#include <algorithm>
#include <cmath>
#include <limits>

#include "backend/cuda/layer_view.h"
#include "cuda/gather.cuh"
#include "cuda/resize.cuh"
#include "ops/common.h"

namespace kiln::backend::cuda {

namespace {

namespace kc = kernels::cuda;

int byteSizeOf(DataType t) {
  const size_t es = elementSize(t);
  if (es != 1 && es != 2 && es != 4 && es != 8) unsupported(std::string("element type ") + toString(t));
  return int(es);
}

bool indices64(const DeviceTensor& t) {
  if (t.type == DataType::kInt64) return true;
  if (t.type == DataType::kInt32) return false;
  unsupported(std::string("indices of type ") + toString(t.type));
}

// ---- Gather and GatherElements -----------------------------------------------------------

void gatherOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& data = v.in(0);
  const DeviceTensor& indices = v.in(1);
  const auto& shape = data.shape;
  const size_t axis = size_t(ops::normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(shape.size())));
  kc::GatherParams p;
  p.outer = productOf(shape, 0, axis);
  p.axisSize = shape[axis];
  p.inner = productOf(shape, axis + 1, shape.size());
  p.numIndices = numelOf(indices.shape);
  p.elemBytes = byteSizeOf(data.type);
  p.indices64 = indices64(indices);
  if (numelOf(v.out(0).shape) != p.outer * p.numIndices * p.inner) unsupported("the output size does not match");
  if (!launch) return;
  checkLaunch(kc::gather(p, data.data, indices.data, v.out(0).data, launch->stream), "kernels::cuda::gather");
}

void gatherElementsOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& data = v.in(0);
  const DeviceTensor& indices = v.in(1);
  const size_t rank = data.shape.size();
  if (indices.shape.size() != rank || rank == 0) unsupported("data and indices must have the same rank");
  if (rank > size_t(kc::kMaxRank)) unsupported("rank exceeds the kernel's");
  kc::GatherElementsParams p;
  p.rank = int(rank);
  p.axis = int(ops::normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(rank)));
  const auto s = rowMajorStrides(data.shape);
  for (size_t d = 0; d < rank; ++d) {
    p.dims[d] = indices.shape[d];
    p.dataStrides[d] = s[d];
  }
  p.axisSize = data.shape[size_t(p.axis)];
  p.elemBytes = byteSizeOf(data.type);
  p.indices64 = indices64(indices);
  if (!launch) return;
  checkLaunch(kc::gatherElements(p, data.data, indices.data, v.out(0).data, launch->stream),
              "kernels::cuda::gatherElements");
}

// ---- Trilu and CumSum ------------------------------------------------------------------------

void triluOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  if (x.shape.size() < 2) unsupported("input must have rank 2 or more");
  kc::TriluParams p;
  p.rows = x.shape[x.shape.size() - 2];
  p.cols = x.shape[x.shape.size() - 1];
  p.matrices = productOf(x.shape, 0, x.shape.size() - 2);
  if (v.hasInput(1)) {
    const HostTensor& k = v.hostValue(1, "k");
    if (k.numel() < 1) unsupported("k holds no value");
    p.k = k.getAsInt64(0);
  }
  p.upper = ctx.attrInt("upper", 1) != 0;
  p.elemBytes = byteSizeOf(x.type);
  if (!launch) return;
  checkLaunch(kc::trilu(p, x.data, v.out(0).data, launch->stream), "kernels::cuda::trilu");
}

void cumSumOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const HostTensor& axisValue = v.hostValue(1, "axis");
  if (axisValue.numel() != 1) unsupported("axis must hold exactly one value");
  const size_t axis = size_t(ops::normalizeAxis(ctx, axisValue.getAsInt64(0), int64_t(x.shape.size())));
  kc::CumSumParams p;
  p.outer = productOf(x.shape, 0, axis);
  p.n = x.shape[axis];
  p.inner = productOf(x.shape, axis + 1, x.shape.size());
  p.exclusive = ctx.attrInt("exclusive", 0) != 0;
  p.reverse = ctx.attrInt("reverse", 0) != 0;
  p.type = kernelElemType(x.type);
  switch (p.type) {
    case kc::ElemType::kF32: case kc::ElemType::kF16: case kc::ElemType::kBF16: case kc::ElemType::kF64:
    case kc::ElemType::kI32: case kc::ElemType::kI64: break;
    default: unsupported(std::string("CumSum of ") + toString(x.type));
  }
  if (!launch) return;
  checkLaunch(kc::cumSum(p, x.data, v.out(0).data, launch->stream), "kernels::cuda::cumSum");
}

// ---- TopK --------------------------------------------------------------------------------------

void topKOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& values = v.out(0);
  const auto& shape = x.shape;
  const size_t axis = size_t(ops::normalizeAxis(ctx, ctx.attrInt("axis", -1), int64_t(shape.size())));
  if (values.shape.size() != shape.size()) unsupported("values and input ranks differ");
  kc::TopKParams p;
  p.outer = productOf(shape, 0, axis);
  p.n = shape[axis];
  p.inner = productOf(shape, axis + 1, shape.size());
  // K as the planned output has it (the reference reads it there too).
  p.k = values.shape[axis];
  p.largest = ctx.attrInt("largest", 1) != 0;
  p.type = kernelElemType(x.type);
  if (p.type == kc::ElemType::kBool) unsupported("TopK of bool");
  if (p.k > p.n) unsupported("K exceeds the axis size");
  if (p.k > 256) unsupported("K above 256 (the kernel runs one pass per output)");
  if (v.hasOutput(1) && v.out(1).type != DataType::kInt64) unsupported("Indices must be int64");
  if (!launch) return;
  int64_t* indices = v.hasOutput(1) ? static_cast<int64_t*>(v.out(1).data) : nullptr;
  checkLaunch(kc::topK(p, x.data, values.data, indices, launch->stream),
              "kernels::cuda::topK");
}

// ---- Resize and Upsample ---------------------------------------------------------------------------

// An input that holds values, or null (omitted, or an empty tensor).
const HostTensor* nonEmptyHost(const LayerView& v, size_t i, const char* what) {
  if (!v.hasInput(i)) return nullptr;
  const DeviceTensor& t = v.in(i);
  if (numelOf(t.shape) == 0 && !t.host) return nullptr;
  const HostTensor& h = v.hostValue(i, what);
  return h.numel() > 0 ? &h : nullptr;
}

std::vector<int64_t> resizeAxes(const ops::NodeContext& ctx, int64_t rank) {
  std::vector<int64_t> all(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) all[size_t(d)] = d;
  if (ctx.opset() < 18 || !ctx.hasAttr("axes")) return all;
  return ops::normalizeAxes(ctx, ctx.attrInts("axes"), rank);
}

// The scale each axis's coordinate mapping uses, as the reference resolves it.
std::vector<double> resizeScales(const ops::NodeContext& ctx, const std::vector<int64_t>& in, const HostTensor* scales,
                                 const HostTensor* sizes) {
  const auto axes = resizeAxes(ctx, int64_t(in.size()));
  if (scales && sizes) unsupported("only one of scales and sizes may be given");
  if (!scales && !sizes) unsupported("one of scales and sizes must be given");
  std::vector<double> r(in.size(), 1.0);
  if (scales) {
    if (scales->numel() != int64_t(axes.size())) unsupported("scales has the wrong number of values");
    for (size_t i = 0; i < axes.size(); ++i) {
      const double s = scales->getAsDouble(int64_t(i));
      if (!(s > 0)) unsupported("scales must be positive");
      r[size_t(axes[i])] = s;
    }
    return r;
  }
  if (sizes->numel() != int64_t(axes.size())) unsupported("sizes has the wrong number of values");
  const std::string policy = ctx.opset() >= 18 ? ctx.attrString("keep_aspect_ratio_policy", "stretch") : "stretch";
  if (policy == "stretch") {
    for (size_t i = 0; i < axes.size(); ++i) {
      r[size_t(axes[i])] = double(sizes->getAsInt64(int64_t(i))) / double(in[size_t(axes[i])]);
    }
    return r;
  }
  if (policy != "not_larger" && policy != "not_smaller") unsupported("unknown keep_aspect_ratio_policy '" + policy + "'");
  double scale = policy == "not_larger" ? std::numeric_limits<double>::infinity() : 0.0;
  for (size_t i = 0; i < axes.size(); ++i) {
    const double s = double(sizes->getAsInt64(int64_t(i))) / double(in[size_t(axes[i])]);
    scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
  }
  for (int64_t a : axes) r[size_t(a)] = scale;
  return r;
}

void resizeOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& y = v.out(0);
  const size_t rank = x.shape.size();
  if (rank == 0 || rank > size_t(kc::kMaxRank) || y.shape.size() != rank) unsupported("rank out of the kernel's range");
  kc::ResizeParams p;
  p.rank = int(rank);
  p.type = kernelElemType(x.type);
  if (p.type == kc::ElemType::kBool) unsupported("Resize of bool");
  const bool upsample = v.layer.op == "Upsample";
  const std::string mode = ctx.attrString("mode", "nearest");
  if (mode == "nearest") p.mode = kc::ResizeMode::kNearest;
  else if (mode == "linear") p.mode = kc::ResizeMode::kLinear;
  else if (mode == "cubic" && !upsample) p.mode = kc::ResizeMode::kCubic;
  else unsupported("unknown mode '" + mode + "'");
  std::vector<double> scales;
  if (upsample || v.opset < 11) {
    p.coord = kc::ResizeCoord::kAsymmetric;
    p.nearest = kc::ResizeNearest::kSimple;
    HostTensor attrScales;
    const HostTensor* s = nullptr;
    if (upsample && v.opset < 9) {
      const auto f = ctx.attrFloats("scales");
      attrScales = HostTensor::fromDoubles(DataType::kFloat32, {int64_t(f.size())}, std::vector<double>(f.begin(), f.end()));
      s = &attrScales;
    } else {
      s = &v.hostValue(1, "scales");
    }
    scales = resizeScales(ctx, x.shape, s, nullptr);
  } else {
    const std::string c = ctx.attrString("coordinate_transformation_mode", "half_pixel");
    if (c == "half_pixel") p.coord = kc::ResizeCoord::kHalfPixel;
    else if (c == "half_pixel_symmetric") p.coord = kc::ResizeCoord::kHalfPixelSymmetric;
    else if (c == "pytorch_half_pixel") p.coord = kc::ResizeCoord::kPytorchHalfPixel;
    else if (c == "align_corners") p.coord = kc::ResizeCoord::kAlignCorners;
    else if (c == "asymmetric") p.coord = kc::ResizeCoord::kAsymmetric;
    else if (c == "tf_half_pixel_for_nn") p.coord = kc::ResizeCoord::kTfHalfPixelForNn;
    else if (c == "tf_crop_and_resize") p.coord = kc::ResizeCoord::kTfCropAndResize;
    else unsupported("unknown coordinate_transformation_mode '" + c + "'");
    const std::string n = ctx.attrString("nearest_mode", "round_prefer_floor");
    if (n == "round_prefer_floor") p.nearest = kc::ResizeNearest::kRoundPreferFloor;
    else if (n == "round_prefer_ceil") p.nearest = kc::ResizeNearest::kRoundPreferCeil;
    else if (n == "floor") p.nearest = kc::ResizeNearest::kFloor;
    else if (n == "ceil") p.nearest = kc::ResizeNearest::kCeil;
    else unsupported("unknown nearest_mode '" + n + "'");
    p.cubicA = ctx.attrFloat("cubic_coeff_a", -0.75f);
    p.excludeOutside = ctx.attrInt("exclude_outside", 0) != 0;
    p.extrapolation = ctx.attrFloat("extrapolation_value", 0.0f);
    if (v.opset >= 18 && ctx.attrInt("antialias", 0) != 0) unsupported("antialias is not implemented on the GPU");
    scales = resizeScales(ctx, x.shape, nonEmptyHost(v, 2, "scales"), nonEmptyHost(v, 3, "sizes"));
    if (p.coord == kc::ResizeCoord::kTfCropAndResize) {
      const HostTensor* roi = nonEmptyHost(v, 1, "roi");
      if (!roi) unsupported("tf_crop_and_resize needs the roi input");
      const auto axes = resizeAxes(ctx, int64_t(rank));
      const auto values = roi->toDoubleVector();
      if (values.size() != 2 * axes.size()) unsupported("roi has the wrong number of values");
      for (size_t d = 0; d < rank; ++d) {
        p.roi[d] = 0.0;
        p.roi[rank + d] = 1.0;
      }
      for (size_t i = 0; i < axes.size(); ++i) {
        p.roi[size_t(axes[i])] = values[i];
        p.roi[rank + size_t(axes[i])] = values[axes.size() + i];
      }
    }
  }
  for (size_t d = 0; d < rank; ++d) {
    p.inShape[d] = x.shape[d];
    p.outShape[d] = y.shape[d];
    p.scales[d] = scales[d];
    if (x.shape[d] <= 0 && y.shape[d] > 0) unsupported("cannot resize an empty axis to a non-empty one");
  }
  if (!launch) return;
  checkLaunch(kc::resize(p, x.data, y.data, launch->stream), "kernels::cuda::resize");
}

}  // namespace

void registerIndexTactics(CudaTacticRegistry& r) {
  addFn(r, {"Gather"}, "cuda.index.gather", gatherOp);
  addFn(r, {"GatherElements"}, "cuda.index.gather-elements", gatherElementsOp);
  addFn(r, {"Trilu"}, "cuda.index.trilu", triluOp);
  addFn(r, {"CumSum"}, "cuda.index.cumsum", cumSumOp);
  addFn(r, {"TopK"}, "cuda.index.topk", topKOp);
  addFn(r, {"Resize", "Upsample"}, "cuda.index.resize", resizeOp);
}

}  // namespace kiln::backend::cuda
