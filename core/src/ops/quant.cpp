// Linear quantization: QuantizeLinear and DequantizeLinear, per tensor, per
// axis (opset 13) and blocked (opset 21), to and from 8/16-bit integers and
// (opset 19) float8.
#include <cmath>
#include <limits>
#include <string>

#include "ops/common.h"

namespace kiln::ops {

namespace {

bool isFloat8(DataType t) { return t == DataType::kFloat8E4M3 || t == DataType::kFloat8E5M2; }

// Maps every element of x to the index of its scale and zero point.
struct ScaleIndex {
  enum class Kind { kTensor, kAxis, kBlocked } kind = Kind::kTensor;
  int64_t axisLen = 1;    ///< x's size along the axis
  int64_t inner = 1;      ///< product of x's dims after the axis
  int64_t scaleAxis = 1;  ///< the scale's size along the axis (blocked)
  int64_t block = 1;

  int64_t operator()(int64_t i) const {
    if (kind == Kind::kTensor) return 0;
    const int64_t a = (i / inner) % axisLen;
    if (kind == Kind::kAxis) return a;
    const int64_t o = i / (inner * axisLen);
    return (o * scaleAxis + a / block) * inner + i % inner;
  }
};

// Checks the scale's shape against x's and says how they pair up. The axis
// attribute exists from opset 13, block_size from 21.
ScaleIndex scaleIndex(const NodeContext& ctx, const std::vector<int64_t>& x, const std::vector<int64_t>& scale) {
  ScaleIndex s;
  const int64_t blockSize = ctx.opset() >= 21 ? ctx.attrInt("block_size", 0) : 0;
  if (blockSize < 0) ctx.fail("block_size must not be negative");
  if (blockSize == 0 && numelOf(scale) == 1 && scale.size() <= 1) return s;
  if (ctx.opset() < 13) ctx.fail("the scale must be a scalar before opset 13");
  const int64_t rank = int64_t(x.size());
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", 1), rank);
  s.axisLen = x[size_t(axis)];
  for (int64_t i = axis + 1; i < rank; ++i) s.inner *= x[size_t(i)];
  if (blockSize == 0) {
    if (scale.size() != 1 || scale[0] != s.axisLen) {
      ctx.fail("per-axis scale " + shapeString(scale) + " does not match axis " + std::to_string(axis) +
               " of " + shapeString(x), ErrorCode::kShapeMismatch);
    }
    s.kind = ScaleIndex::Kind::kAxis;
    return s;
  }
  bool ok = int64_t(scale.size()) == rank;
  for (int64_t i = 0; ok && i < rank; ++i) {
    const int64_t want = i == axis ? (x[size_t(i)] + blockSize - 1) / blockSize : x[size_t(i)];
    ok = scale[size_t(i)] == want;
  }
  if (!ok) {
    ctx.fail("blocked scale " + shapeString(scale) + " does not match " + shapeString(x) + " with block_size " +
             std::to_string(blockSize), ErrorCode::kShapeMismatch);
  }
  s.kind = ScaleIndex::Kind::kBlocked;
  s.scaleAxis = scale[size_t(axis)];
  s.block = blockSize;
  return s;
}

void checkZeroPoint(const NodeContext& ctx, const HostTensor& scale, const HostTensor* zp) {
  if (zp && zp->shape() != scale.shape() && !(zp->numel() == 1 && scale.numel() == 1)) {
    ctx.fail("zero point " + shapeString(zp->shape()) + " and scale " + shapeString(scale.shape()) +
             " differ in shape", ErrorCode::kShapeMismatch);
  }
}

// ---- QuantizeLinear ------------------------------------------------------------------

DataType quantizedType(const InferContext& ctx) {
  if (ctx.hasInput(2)) return ctx.input(2).type;
  switch (ctx.opset() >= 21 ? ctx.attrInt("output_dtype", 0) : 0) {
    case 0:
    case 2: return DataType::kUInt8;
    case 3: return DataType::kInt8;
    case 4: return DataType::kUInt16;
    case 5: return DataType::kInt16;
    case 17: return DataType::kFloat8E4M3;
    case 19: return DataType::kFloat8E5M2;
    default: break;
  }
  ctx.fail("unsupported output_dtype " + std::to_string(ctx.attrInt("output_dtype", 0)), ErrorCode::kUnsupportedType);
}

void inferQuantize(InferContext& ctx) {
  ctx.expectType(0, {DataType::kFloat32, DataType::kFloat16, DataType::kBFloat16, DataType::kInt32});
  ctx.expectType(1, {DataType::kFloat32, DataType::kFloat16, DataType::kBFloat16});
  const DataType out = quantizedType(ctx);
  const bool ok = out == DataType::kUInt8 || out == DataType::kInt8 || out == DataType::kUInt16 ||
                  out == DataType::kInt16 || (isFloat8(out) && ctx.opset() >= 19);
  if (!ok) ctx.fail(std::string("cannot quantize to ") + toString(out), ErrorCode::kUnsupportedType);
  ctx.setOutput(0, out, ctx.input(0).dims);
}

// Clamps an already rounded value to the integer type's range.
double saturateInteger(double v, DataType t) {
  double lo = 0, hi = 0;
  switch (t) {
    case DataType::kUInt8: lo = 0; hi = 255; break;
    case DataType::kInt8: lo = -128; hi = 127; break;
    case DataType::kUInt16: lo = 0; hi = 65535; break;
    default: lo = -32768; hi = 32767; break;
  }
  return std::fmin(hi, std::fmax(lo, v));
}

void computeQuantize(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const HostTensor& scale = ctx.input(1);
  const HostTensor* zp = ctx.inputOrNull(2);
  HostTensor& y = ctx.output(0);
  checkZeroPoint(ctx, scale, zp);
  const ScaleIndex index = scaleIndex(ctx, x.shape(), scale.shape());
  const bool saturate = ctx.opset() < 19 || ctx.attrInt("saturate", 1) != 0;
  const DataType t = y.type();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t k = index(i);
    // The division runs in float, as the scale's precision asks.
    const float q = float(x.getAsDouble(i)) / float(scale.getAsDouble(k));
    const double z = zp ? zp->getAsDouble(k) : 0.0;
    if (t == DataType::kFloat8E4M3) {
      y.data<uint8_t>()[i] = kernels::Float8E4M3Codec::encode(float(q + z), saturate);
    } else if (t == DataType::kFloat8E5M2) {
      y.data<uint8_t>()[i] = kernels::Float8E5M2Codec::encode(float(q + z), saturate);
    } else {
      y.setFromDouble(i, saturateInteger(std::nearbyint(double(q)) + z, t));
    }
  }
}

// ---- DequantizeLinear ------------------------------------------------------------------

void inferDequantize(InferContext& ctx) {
  const DataType xt = ctx.input(0).type;
  const bool ok = xt == DataType::kUInt8 || xt == DataType::kInt8 || xt == DataType::kUInt16 ||
                  xt == DataType::kInt16 || xt == DataType::kInt32 || (isFloat8(xt) && ctx.opset() >= 19);
  if (!ok) ctx.fail(std::string("cannot dequantize ") + toString(xt), ErrorCode::kUnsupportedType);
  ctx.expectType(1, {DataType::kFloat32, DataType::kFloat16, DataType::kBFloat16});
  if (ctx.hasInput(2) && ctx.input(2).type != xt) {
    ctx.fail("x and x_zero_point have different types", ErrorCode::kUnsupportedType);
  }
  ctx.setOutput(0, ctx.input(1).type, ctx.input(0).dims);
}

void computeDequantize(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const HostTensor& scale = ctx.input(1);
  const HostTensor* zp = ctx.inputOrNull(2);
  HostTensor& y = ctx.output(0);
  checkZeroPoint(ctx, scale, zp);
  const ScaleIndex index = scaleIndex(ctx, x.shape(), scale.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t k = index(i);
    const double z = zp ? zp->getAsDouble(k) : 0.0;
    y.setFromDouble(i, (x.getAsDouble(i) - z) * scale.getAsDouble(k));
  }
}

// ---- DynamicQuantizeLinear -------------------------------------------------------------

void inferDynamicQuantize(InferContext& ctx) {
  ctx.expectType(0, {DataType::kFloat32});
  ctx.setOutput(0, DataType::kUInt8, ctx.input(0).dims);
  ctx.setOutput(1, DataType::kFloat32, Dims{});
  ctx.setOutput(2, DataType::kUInt8, Dims{});
}

// uint8 quantization over a range stretched to include 0; the reference
// computes in float, and so does this.
void computeDynamicQuantize(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const float* in = x.data<float>();
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    lo = std::fmin(lo, in[i]);
    hi = std::fmax(hi, in[i]);
  }
  const float scale = (hi - lo) / 255.0f;
  const float zp = scale == 0 ? 0.0f : float(saturateInteger(std::nearbyint(0.0f - lo / scale), DataType::kUInt8));
  uint8_t* out = ctx.output(0).data<uint8_t>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double q = scale == 0 ? 0.0 : std::nearbyint(double(in[i] / scale)) + zp;
    out[i] = uint8_t(saturateInteger(q, DataType::kUInt8));
  }
  ctx.output(1).data<float>()[0] = scale;
  ctx.output(2).data<uint8_t>()[0] = uint8_t(zp);
}

}  // namespace

void registerQuantOps(OpRegistry& r) {
  r.add({"QuantizeLinear", "", 10, 2, 3, 1, 1, inferQuantize, computeQuantize});
  r.add({"DequantizeLinear", "", 10, 2, 3, 1, 1, inferDequantize, computeDequantize});
  r.add({"DynamicQuantizeLinear", "", 11, 1, 1, 3, 3, inferDynamicQuantize, computeDynamicQuantize});
}

}  // namespace kiln::ops
