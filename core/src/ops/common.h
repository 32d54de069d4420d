// Helpers shared by the operator families: type dispatch, broadcasting,
// axis handling and strides.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "kiln/kernels/numeric.h"
#include "ops/op.h"

namespace kiln::ops {

using kernels::BFloat16;
using kernels::Float8E4M3;
using kernels::Float8E5M2;
using kernels::Half;

template <class T>
inline constexpr bool kIsNarrowFloat =
    std::is_same_v<T, Half> || std::is_same_v<T, BFloat16> || std::is_same_v<T, Float8E4M3> ||
    std::is_same_v<T, Float8E5M2>;

/// True for the C++ types that stand for floating-point data.
template <class T>
inline constexpr bool kIsFloatLike = std::is_floating_point_v<T> || kIsNarrowFloat<T>;

/// The type in which a reference kernel computes T: double for every float,
/// T itself for integers and bool.
template <class T>
using Acc = std::conditional_t<kIsFloatLike<T>, double, T>;

/// Converts a computed value back to storage type T.
template <class T, class V>
inline T store(V v) {
  if constexpr (kIsNarrowFloat<T>) return T(float(v));
  else return static_cast<T>(v);
}
/// Reads a stored value as its compute type.
template <class T>
inline Acc<T> load(T v) {
  if constexpr (kIsNarrowFloat<T>) return double(float(v));
  else return static_cast<Acc<T>>(v);
}

/// Calls f(T{}) with the C++ type of `t`. Narrow floats pass their storage
/// type. Fails through `ctx` for a type the caller does not accept.
template <class F>
decltype(auto) dispatchAll(DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat32: return f(float{});
    case DataType::kFloat64: return f(double{});
    case DataType::kFloat16: return f(Half{});
    case DataType::kBFloat16: return f(BFloat16{});
    case DataType::kFloat8E4M3: return f(Float8E4M3{});
    case DataType::kFloat8E5M2: return f(Float8E5M2{});
    case DataType::kInt8: return f(int8_t{});
    case DataType::kUInt8: return f(uint8_t{});
    case DataType::kInt16: return f(int16_t{});
    case DataType::kUInt16: return f(uint16_t{});
    case DataType::kInt32: return f(int32_t{});
    case DataType::kUInt32: return f(uint32_t{});
    case DataType::kInt64: return f(int64_t{});
    case DataType::kUInt64: return f(uint64_t{});
    case DataType::kBool: return f(bool{});
  }
  throw Error(ErrorCode::kUnsupportedType, "unknown data type");
}

/// Like dispatchAll, for the floating-point types only (f32, f64, f16, bf16).
template <class F>
decltype(auto) dispatchFloat(const NodeContext& ctx, DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat32: return f(float{});
    case DataType::kFloat64: return f(double{});
    case DataType::kFloat16: return f(Half{});
    case DataType::kBFloat16: return f(BFloat16{});
    default: break;
  }
  ctx.fail(std::string("unsupported data type ") + toString(t) + " (expected a float type)",
           ErrorCode::kUnsupportedType);
}

/// Numeric types: the float types and the integers (no bool, no fp8).
template <class F>
decltype(auto) dispatchNumeric(const NodeContext& ctx, DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat32: return f(float{});
    case DataType::kFloat64: return f(double{});
    case DataType::kFloat16: return f(Half{});
    case DataType::kBFloat16: return f(BFloat16{});
    case DataType::kInt8: return f(int8_t{});
    case DataType::kUInt8: return f(uint8_t{});
    case DataType::kInt16: return f(int16_t{});
    case DataType::kUInt16: return f(uint16_t{});
    case DataType::kInt32: return f(int32_t{});
    case DataType::kUInt32: return f(uint32_t{});
    case DataType::kInt64: return f(int64_t{});
    case DataType::kUInt64: return f(uint64_t{});
    default: break;
  }
  ctx.fail(std::string("unsupported data type ") + toString(t), ErrorCode::kUnsupportedType);
}

/// The types a float op accepts.
inline constexpr std::initializer_list<DataType> kFloatTypes = {
    DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16};

/// Row-major strides of a shape.
std::vector<int64_t> stridesOf(const std::vector<int64_t>& shape);

/// Normalizes a possibly negative axis into [0, rank); fails when out of range.
int64_t normalizeAxis(const NodeContext& ctx, int64_t axis, int64_t rank);
/// Normalizes each axis, failing on duplicates.
std::vector<int64_t> normalizeAxes(const NodeContext& ctx, std::vector<int64_t> axes, int64_t rank);

/// Numpy-style broadcast of two static shapes (symbols kept where they agree).
Dims broadcastDims(const NodeContext& ctx, const Dims& a, const Dims& b);
/// Numpy-style broadcast of two concrete shapes.
std::vector<int64_t> broadcastShape(const NodeContext& ctx, const std::vector<int64_t>& a,
                                    const std::vector<int64_t>& b);
/// For every element of `out` (row-major), the offset of the element of a
/// tensor of shape `in` that broadcasts onto it.
std::vector<int64_t> broadcastOffsets(const std::vector<int64_t>& out, const std::vector<int64_t>& in);

/// Concrete shape of a tensor as Dims.
inline Dims dimsOf(const HostTensor& t) { return Dims::of(t.shape()); }

/// Multiplies two dims; unknown when either is.
Dim mulDim(const Dim& a, const Dim& b);

/// The first index and the element count of a slice of one axis of size
/// `dim`, after ONNX's clamping rules (Slice; shared by every backend).
std::pair<int64_t, int64_t> sliceAxis(int64_t dim, int64_t start, int64_t end, int64_t step);

/// Sets output 0 to input 0's type and shape (for shape-preserving ops).
void inferSameAsInput(InferContext& ctx);

/// The channels-last layout of 4-D tensors: NHWC = NCHW permuted by
/// kToChannelsLast, and back by kToChannelsFirst (Transpose perms).
inline const std::vector<int64_t> kToChannelsLast = {0, 2, 3, 1};
inline const std::vector<int64_t> kToChannelsFirst = {0, 3, 1, 2};

/// t with its axes permuted: result dim i is t's dim perm[i] (Transpose; in layout.cpp).
HostTensor permuteTensor(const HostTensor& t, const std::vector<int64_t>& perm);

}  // namespace kiln::ops
