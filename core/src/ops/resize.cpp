// Resampling operators: Resize (opsets 10 to 19 forms) and the older Upsample.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "cpu/resize.h"
#include "ops/common.h"

namespace kiln::ops {

namespace {

namespace k = kernels::cpu;

// The output shape and, when the input shape is known, the scale each axis's
// coordinate mapping uses.
struct Resolved {
  Dims out;
  std::vector<double> scales;
};

// A tensor that holds values, or null: ONNX marks unused optional inputs
// with empty tensors as well as with empty names.
const HostTensor* nonEmpty(const HostTensor* t) { return t && t->numel() > 0 ? t : nullptr; }

// The axes that scales, sizes and roi address (opset 18 'axes'), normalized.
std::vector<int64_t> resizeAxes(const NodeContext& ctx, int64_t rank) {
  std::vector<int64_t> all(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) all[size_t(d)] = d;
  if (ctx.opset() < 18 || !ctx.hasAttr("axes")) return all;
  return normalizeAxes(ctx, ctx.attrInts("axes"), rank);
}

Resolved resolveFromScales(const NodeContext& ctx, const Dims& in, const std::vector<int64_t>& axes,
                           const HostTensor& scales) {
  ctx.check(scales.numel() == int64_t(axes.size()),
            "scales has " + std::to_string(scales.numel()) + " values; expected " + std::to_string(axes.size()));
  Resolved r{in, std::vector<double>(in.rank(), 1.0)};
  for (size_t i = 0; i < axes.size(); ++i) {
    const double s = scales.getAsDouble(int64_t(i));
    ctx.check(s > 0, "scales must be positive");
    r.scales[size_t(axes[i])] = s;
  }
  for (size_t d = 0; d < in.rank(); ++d) {
    if (r.scales[d] == 1.0) continue;
    r.out[d] = in[d].known() ? Dim(int64_t(std::floor(double(in[d].value) * r.scales[d]))) : Dim();
  }
  return r;
}

Resolved resolveFromSizes(const NodeContext& ctx, const Dims& in, const std::vector<int64_t>& axes,
                          const HostTensor& sizes) {
  ctx.check(sizes.numel() == int64_t(axes.size()),
            "sizes has " + std::to_string(sizes.numel()) + " values; expected " + std::to_string(axes.size()));
  const std::string policy = ctx.opset() >= 18 ? ctx.attrString("keep_aspect_ratio_policy", "stretch") : "stretch";
  ctx.check(policy == "stretch" || policy == "not_larger" || policy == "not_smaller",
            "unknown keep_aspect_ratio_policy '" + policy + "'");
  Resolved r{in, std::vector<double>(in.rank(), 1.0)};
  bool inKnown = true;
  for (int64_t a : axes) inKnown = inKnown && in[size_t(a)].known();
  std::vector<int64_t> wanted(axes.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    wanted[i] = sizes.getAsInt64(int64_t(i));
    ctx.check(wanted[i] >= 0, "sizes must not be negative");
  }
  if (policy == "stretch") {
    for (size_t i = 0; i < axes.size(); ++i) {
      const size_t d = size_t(axes[i]);
      r.out[d] = Dim(wanted[i]);
      if (inKnown) r.scales[d] = double(wanted[i]) / double(in[d].value);
    }
    return r;
  }
  if (!inKnown) {
    for (int64_t a : axes) r.out[size_t(a)] = Dim();
    return r;
  }
  // One scale for every axis, the one that keeps the result within (or
  // around) the wanted box; sizes then round half up.
  double scale = policy == "not_larger" ? std::numeric_limits<double>::infinity() : 0.0;
  for (size_t i = 0; i < axes.size(); ++i) {
    const double s = double(wanted[i]) / double(in[size_t(axes[i])].value);
    scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
  }
  for (int64_t a : axes) {
    r.scales[size_t(a)] = scale;
    r.out[size_t(a)] = Dim(int64_t(scale * double(in[size_t(a)].value) + 0.5));
  }
  return r;
}

// Slots of the scales and sizes inputs: Resize-10 has only scales, second.
size_t scalesSlot(const NodeContext& ctx) { return ctx.opset() < 11 ? 1 : 2; }
constexpr size_t kSizesSlot = 3;

Resolved resolveResize(const NodeContext& ctx, const Dims& in, const HostTensor* scales, const HostTensor* sizes) {
  const auto axes = resizeAxes(ctx, int64_t(in.rank()));
  if (scales && sizes) ctx.fail("only one of scales and sizes may be given");
  if (scales) return resolveFromScales(ctx, in, axes, *scales);
  return resolveFromSizes(ctx, in, axes, *sizes);
}

k::ResizeMode parseMode(const NodeContext& ctx) {
  const std::string mode = ctx.attrString("mode", "nearest");
  if (mode == "nearest") return k::ResizeMode::kNearest;
  if (mode == "linear") return k::ResizeMode::kLinear;
  if (mode == "cubic" && ctx.layer().op == "Resize") return k::ResizeMode::kCubic;
  ctx.fail("unknown mode '" + mode + "'");
}

k::ResizeCoord parseCoord(const NodeContext& ctx) {
  const std::string c = ctx.attrString("coordinate_transformation_mode", "half_pixel");
  if (c == "half_pixel") return k::ResizeCoord::kHalfPixel;
  if (c == "half_pixel_symmetric") return k::ResizeCoord::kHalfPixelSymmetric;
  if (c == "pytorch_half_pixel") return k::ResizeCoord::kPytorchHalfPixel;
  if (c == "align_corners") return k::ResizeCoord::kAlignCorners;
  if (c == "asymmetric") return k::ResizeCoord::kAsymmetric;
  if (c == "tf_half_pixel_for_nn") return k::ResizeCoord::kTfHalfPixelForNn;
  if (c == "tf_crop_and_resize") return k::ResizeCoord::kTfCropAndResize;
  ctx.fail("unknown coordinate_transformation_mode '" + c + "'");
}

k::ResizeNearest parseNearest(const NodeContext& ctx) {
  const std::string n = ctx.attrString("nearest_mode", "round_prefer_floor");
  if (n == "round_prefer_floor") return k::ResizeNearest::kRoundPreferFloor;
  if (n == "round_prefer_ceil") return k::ResizeNearest::kRoundPreferCeil;
  if (n == "floor") return k::ResizeNearest::kFloor;
  if (n == "ceil") return k::ResizeNearest::kCeil;
  ctx.fail("unknown nearest_mode '" + n + "'");
}

// The kernel parameters every form shares. Resize-10 and Upsample map
// coordinates asymmetrically and pick nearest elements the simple way.
k::ResizeParams baseParams(const NodeContext& ctx) {
  k::ResizeParams p;
  p.mode = parseMode(ctx);
  if (ctx.layer().op == "Upsample" || ctx.opset() < 11) {
    p.coord = k::ResizeCoord::kAsymmetric;
    p.nearest = k::ResizeNearest::kSimple;
    return p;
  }
  p.coord = parseCoord(ctx);
  p.nearest = parseNearest(ctx);
  p.cubicA = ctx.attrFloat("cubic_coeff_a", -0.75f);
  p.excludeOutside = ctx.attrInt("exclude_outside", 0) != 0;
  p.extrapolation = ctx.attrFloat("extrapolation_value", 0.0f);
  p.antialias = ctx.opset() >= 18 && ctx.attrInt("antialias", 0) != 0;
  if (p.antialias && p.mode == k::ResizeMode::kNearest) ctx.fail("antialias is not defined for mode 'nearest'");
  return p;
}

// The region of interest over every axis (starts, then ends); [0, 1] for the
// axes it does not name.
std::vector<double> fullRoi(const NodeContext& ctx, const HostTensor* roi, size_t rank) {
  ctx.check(roi != nullptr, "tf_crop_and_resize needs the roi input");
  const auto axes = resizeAxes(ctx, int64_t(rank));
  const auto values = roi->toDoubleVector();
  ctx.check(values.size() == 2 * axes.size(),
            "roi has " + std::to_string(values.size()) + " values; expected " + std::to_string(2 * axes.size()));
  std::vector<double> full(rank, 0.0);
  full.resize(2 * rank, 1.0);
  for (size_t i = 0; i < axes.size(); ++i) {
    full[size_t(axes[i])] = values[i];
    full[rank + size_t(axes[i])] = values[axes.size() + i];
  }
  return full;
}

// Stores resampled values; integers round to nearest rather than truncate so
// that values a rounding error below an integer keep it, and narrow ones
// saturate instead of wrapping.
void storeValues(const NodeContext& ctx, HostTensor& y, const std::vector<double>& v) {
  dispatchNumeric(ctx, y.type(), [&](auto tag) {
    using T = decltype(tag);
    T* out = y.data<T>();
    for (size_t i = 0; i < v.size(); ++i) {
      if constexpr (kIsFloatLike<T>) {
        out[i] = store<T>(v[i]);
      } else if constexpr (sizeof(T) < 8) {
        out[i] = T(std::clamp(std::nearbyint(v[i]), double(std::numeric_limits<T>::lowest()),
                              double(std::numeric_limits<T>::max())));
      } else {
        out[i] = T(std::nearbyint(v[i]));
      }
    }
  });
}

void runResize(ComputeContext& ctx, k::ResizeParams p, const Resolved& r, const HostTensor& x) {
  p.inShape = x.shape();
  p.outShape = ctx.output(0).shape();
  p.scales = r.scales;
  for (size_t d = 0; d < p.inShape.size(); ++d) {
    ctx.check(p.inShape[d] > 0 || p.outShape[d] == 0, "cannot resize an empty axis to a non-empty one");
  }
  if (p.coord == k::ResizeCoord::kTfCropAndResize) p.roi = fullRoi(ctx, nonEmpty(ctx.inputOrNull(1)), x.rank());
  std::vector<double> out(size_t(ctx.output(0).numel()));
  if (!out.empty()) k::resize(p, x.toDoubleVector().data(), out.data());
  storeValues(ctx, ctx.output(0), out);
}

// ---- Resize ------------------------------------------------------------------------

void inferResize(InferContext& ctx) {
  if (ctx.opset() < 11) ctx.check(ctx.numInputs() == 2, "Resize-10 takes exactly X and scales");
  const ValueInfo& x = ctx.input(0);
  if (x.type == DataType::kBool) ctx.fail("bool input is not supported", ErrorCode::kUnsupportedType);
  baseParams(ctx);
  const size_t ss = scalesSlot(ctx);
  const HostTensor* scales = nonEmpty(ctx.value(ss));
  const HostTensor* sizes = nonEmpty(ctx.value(kSizesSlot));
  const bool pending = (ctx.hasInput(ss) && !ctx.value(ss)) || (ctx.hasInput(kSizesSlot) && !ctx.value(kSizesSlot));
  if (!x.dims.rankKnown || (!scales && !sizes && pending)) {
    ctx.setOutput(0, x.type, x.dims.rankKnown ? Dims::unknownOfRank(x.dims.rank()) : Dims::unknownRank());
    return;
  }
  ctx.check(scales || sizes, "one of scales and sizes must be given");
  ctx.setOutput(0, x.type, resolveResize(ctx, x.dims, scales, sizes).out);
}

void computeResize(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const HostTensor* scales = nonEmpty(ctx.inputOrNull(scalesSlot(ctx)));
  const HostTensor* sizes = nonEmpty(ctx.inputOrNull(kSizesSlot));
  runResize(ctx, baseParams(ctx), resolveResize(ctx, dimsOf(x), scales, sizes), x);
}

// ---- Upsample ----------------------------------------------------------------------

// Upsample-7 takes scales as an attribute; from opset 9 they are an input.
HostTensor upsampleScalesAttr(const NodeContext& ctx) {
  const auto s = ctx.attrFloats("scales");
  ctx.check(!s.empty(), "attribute 'scales' is required before opset 9");
  return HostTensor::fromDoubles(DataType::kFloat32, {int64_t(s.size())}, std::vector<double>(s.begin(), s.end()));
}

void inferUpsample(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  baseParams(ctx);
  HostTensor attrScales;
  const HostTensor* scales = nullptr;
  if (ctx.opset() < 9) {
    attrScales = upsampleScalesAttr(ctx);
    scales = &attrScales;
  } else {
    ctx.check(ctx.hasInput(1), "input scales is required from opset 9");
    scales = ctx.value(1);
  }
  if (!x.dims.rankKnown || !scales) {
    ctx.setOutput(0, x.type, x.dims.rankKnown ? Dims::unknownOfRank(x.dims.rank()) : Dims::unknownRank());
    return;
  }
  ctx.setOutput(0, x.type, resolveResize(ctx, x.dims, scales, nullptr).out);
}

void computeUpsample(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor attrScales;
  const HostTensor* scales = &attrScales;
  if (ctx.opset() < 9) attrScales = upsampleScalesAttr(ctx);
  else scales = &ctx.input(1);
  runResize(ctx, baseParams(ctx), resolveResize(ctx, dimsOf(x), scales, nullptr), x);
}

}  // namespace

void registerResizeOps(OpRegistry& r) {
  r.add({"Resize", "", 10, 1, 4, 1, 1, inferResize, computeResize});
  r.add({"Upsample", "", 7, 1, 2, 1, 1, inferUpsample, computeUpsample});
}

}  // namespace kiln::ops
