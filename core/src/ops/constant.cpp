// Operators that make values rather than move them: Constant,
// ConstantOfShape, Range, and the type conversion Cast.
#include <cmath>
#include <cstring>

#include "onnx/tensor_proto.h"
#include "ops/common.h"

namespace kiln::ops {

namespace {

// ---- Constant ---------------------------------------------------------------------

// The value of a Constant given by one of the value_float(s)/value_int(s)
// attributes (opset 12+); Constant's `value` tensor is read in place instead.
HostTensor smallConstant(const NodeContext& ctx) {
  if (const Attribute* a = ctx.attr("value_float")) return HostTensor::fromDoubles(DataType::kFloat32, {}, {a->f});
  if (const Attribute* a = ctx.attr("value_int")) return HostTensor::fromInt64s({a->i}, true);
  if (ctx.hasAttr("value_floats")) {
    auto f = ctx.attrFloats("value_floats");
    return HostTensor::fromDoubles(DataType::kFloat32, {int64_t(f.size())}, {f.begin(), f.end()});
  }
  if (ctx.hasAttr("value_ints")) return HostTensor::fromInt64s(ctx.attrInts("value_ints"));
  if (ctx.hasAttr("value_string") || ctx.hasAttr("value_strings")) {
    ctx.fail("string constants are not supported", ErrorCode::kUnsupportedType);
  }
  if (ctx.hasAttr("sparse_value")) ctx.fail("sparse constants are not supported", ErrorCode::kUnsupportedType);
  ctx.fail("the constant has no value attribute");
}

void inferConstant(InferContext& ctx) {
  const auto& attrs = ctx.layer().attrs;
  if (attrs.size() != 1) ctx.fail("a Constant needs exactly one value attribute, not " + std::to_string(attrs.size()));
  if (const HostTensor* t = ctx.attrTensor("value")) {
    ctx.setOutput(0, t->type(), dimsOf(*t));
    return;
  }
  const HostTensor t = smallConstant(ctx);
  ctx.setOutput(0, t.type(), dimsOf(t));
}

void computeConstant(ComputeContext& ctx) {
  const HostTensor* t = ctx.attrTensor("value");
  const HostTensor small = t ? HostTensor() : smallConstant(ctx);
  if (!t) t = &small;
  std::memcpy(ctx.output(0).raw(), t->raw(), t->bytes());
}

// ---- ConstantOfShape -----------------------------------------------------------------------

// The fill value: a one-element tensor attribute, float 0 by default.
HostTensor fillValue(const NodeContext& ctx) {
  const HostTensor* v = ctx.attrTensor("value");
  if (!v) return HostTensor(DataType::kFloat32, {1});
  if (v->numel() != 1) ctx.fail("value must hold one element, not " + std::to_string(v->numel()));
  return *v;
}

void inferConstantOfShape(InferContext& ctx) {
  ctx.expectType(0, {DataType::kInt64});
  const DataType type = fillValue(ctx).type();
  if (const HostTensor* s = ctx.value(0)) {
    const auto shape = s->toInt64Vector();
    for (int64_t d : shape) {
      if (d < 0) ctx.fail("the shape has a negative entry " + std::to_string(d), ErrorCode::kShapeMismatch);
    }
    ctx.setOutput(0, type, Dims::of(shape));
    return;
  }
  const Dims& sd = ctx.input(0).dims;
  const bool rankKnown = sd.rankKnown && sd.rank() == 1 && sd[0].known();
  ctx.setOutput(0, type, rankKnown ? Dims::unknownOfRank(size_t(sd[0].value)) : Dims::unknownRank());
}

void computeConstantOfShape(ComputeContext& ctx) {
  const HostTensor v = fillValue(ctx);
  HostTensor& y = ctx.output(0);
  const size_t es = elementSize(y.type());
  auto* dst = static_cast<std::byte*>(y.raw());
  for (int64_t i = 0; i < y.numel(); ++i) std::memcpy(dst + size_t(i) * es, v.raw(), es);
}

// ---- Range ----------------------------------------------------------------------------------

// Number of elements of Range(start, limit, delta): max(ceil((limit - start) / delta), 0),
// exact for integers.
int64_t rangeCount(const NodeContext& ctx, const HostTensor& start, const HostTensor& limit,
                   const HostTensor& delta) {
  if (isInteger(start.type())) {
    const int64_t s = start.getAsInt64(0), l = limit.getAsInt64(0), d = delta.getAsInt64(0);
    if (d == 0) ctx.fail("delta is 0");
    const int64_t diff = l - s;
    if (diff == 0 || (diff > 0) != (d > 0)) return 0;
    return (diff > 0 ? diff - 1 : diff + 1) / d + 1;
  }
  const double d = delta.getAsDouble(0);
  if (d == 0) ctx.fail("delta is 0");
  const double n = std::ceil((limit.getAsDouble(0) - start.getAsDouble(0)) / d);
  if (!std::isfinite(n)) ctx.fail("the range has no finite length");
  return n > 0 ? int64_t(n) : 0;
}

void inferRange(InferContext& ctx) {
  ctx.expectType(0, {DataType::kFloat32, DataType::kFloat64, DataType::kInt16, DataType::kInt32, DataType::kInt64});
  const DataType type = ctx.input(0).type;
  for (size_t i = 0; i < 3; ++i) {
    const ValueInfo& v = ctx.input(i);
    if (v.type != type) ctx.fail("start, limit and delta have different types", ErrorCode::kUnsupportedType);
    if (v.dims.allKnown() && v.dims.numel() != 1) ctx.fail("input " + std::to_string(i) + " must be a scalar");
  }
  Dims out = Dims::unknownOfRank(1);
  if (ctx.value(0) && ctx.value(1) && ctx.value(2)) {
    out[0] = Dim(rangeCount(ctx, *ctx.value(0), *ctx.value(1), *ctx.value(2)));
  }
  ctx.setOutput(0, type, out);
}

void computeRange(ComputeContext& ctx) {
  const HostTensor& start = ctx.input(0);
  const HostTensor& delta = ctx.input(2);
  HostTensor& y = ctx.output(0);
  if (isInteger(y.type())) {
    const int64_t s = start.getAsInt64(0), d = delta.getAsInt64(0);
    for (int64_t i = 0; i < y.numel(); ++i) y.setFromDouble(i, double(s + i * d));
    return;
  }
  const double s = start.getAsDouble(0), d = delta.getAsDouble(0);
  for (int64_t i = 0; i < y.numel(); ++i) y.setFromDouble(i, s + double(i) * d);
}

// ---- Cast -------------------------------------------------------------------------------------

DataType castTarget(const NodeContext& ctx) {
  const int64_t to = ctx.attrIntRequired("to");
  if (auto t = onnximport::fromOnnxType(int32_t(to))) return *t;
  ctx.fail("casts to " + onnximport::onnxTypeName(int32_t(to)) + " are not supported", ErrorCode::kUnsupportedType);
}

void inferCast(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  ctx.setOutput(0, castTarget(ctx), x.dims);
}

// Conversions to fp8 saturate to the largest finite value unless `saturate`
// (opset 19+) is 0, when out-of-range values become inf or NaN.
void computeCast(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  const bool saturate = ctx.opset() < 19 || ctx.attrInt("saturate", 1) != 0;
  if (saturate || (y.type() != DataType::kFloat8E4M3 && y.type() != DataType::kFloat8E5M2)) {
    y = x.castTo(y.type());
    return;
  }
  auto* out = static_cast<uint8_t*>(y.raw());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float v = float(x.getAsDouble(i));
    out[i] = y.type() == DataType::kFloat8E4M3 ? Float8E4M3(v, false).bits : Float8E5M2(v, false).bits;
  }
}

}  // namespace

void registerConstantOps(OpRegistry& r) {
  r.add({"Constant", "", 1, 0, 0, 1, 1, inferConstant, computeConstant});
  r.add({"ConstantOfShape", "", 9, 1, 1, 1, 1, inferConstantOfShape, computeConstantOfShape});
  r.add({"Range", "", 11, 3, 3, 1, 1, inferRange, computeRange});
  r.add({"Cast", "", 1, 1, 1, 1, 1, inferCast, computeCast});
}

}  // namespace kiln::ops
