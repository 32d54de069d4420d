#include "kiln/types.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "kiln/errors.h"
#include "kiln/kernels/numeric.h"

namespace kiln {

using kernels::BFloat16;
using kernels::Float8E4M3;
using kernels::Float8E5M2;
using kernels::Half;

size_t elementSize(DataType t) noexcept {
  switch (t) {
    case DataType::kFloat64: case DataType::kInt64: case DataType::kUInt64: return 8;
    case DataType::kFloat32: case DataType::kInt32: case DataType::kUInt32: return 4;
    case DataType::kFloat16: case DataType::kBFloat16: case DataType::kInt16: case DataType::kUInt16: return 2;
    case DataType::kFloat8E4M3: case DataType::kFloat8E5M2: case DataType::kInt8: case DataType::kUInt8:
    case DataType::kBool: return 1;
  }
  return 1;
}

const char* toString(DataType t) noexcept {
  switch (t) {
    case DataType::kFloat32: return "f32";
    case DataType::kFloat16: return "f16";
    case DataType::kBFloat16: return "bf16";
    case DataType::kFloat8E4M3: return "fp8e4m3";
    case DataType::kFloat8E5M2: return "fp8e5m2";
    case DataType::kFloat64: return "f64";
    case DataType::kInt8: return "i8";
    case DataType::kUInt8: return "u8";
    case DataType::kInt16: return "i16";
    case DataType::kUInt16: return "u16";
    case DataType::kInt32: return "i32";
    case DataType::kUInt32: return "u32";
    case DataType::kInt64: return "i64";
    case DataType::kUInt64: return "u64";
    case DataType::kBool: return "bool";
  }
  return "?";
}

std::optional<DataType> dataTypeFromString(std::string_view name) noexcept {
  for (int i = 0; i <= int(DataType::kBool); ++i) {
    if (name == toString(DataType(i))) return DataType(i);
  }
  return std::nullopt;
}

bool isFloat(DataType t) noexcept {
  return t == DataType::kFloat32 || t == DataType::kFloat16 || t == DataType::kBFloat16 ||
         t == DataType::kFloat8E4M3 || t == DataType::kFloat8E5M2 || t == DataType::kFloat64;
}
bool isInteger(DataType t) noexcept { return !isFloat(t) && t != DataType::kBool; }
bool isSigned(DataType t) noexcept {
  return t == DataType::kInt8 || t == DataType::kInt16 || t == DataType::kInt32 || t == DataType::kInt64;
}

Dims::Dims(std::initializer_list<int64_t> sizes) {
  for (int64_t s : sizes) d.emplace_back(s);
}

Dims Dims::of(const std::vector<int64_t>& sizes) {
  Dims r;
  for (int64_t s : sizes) r.d.emplace_back(s);
  return r;
}

Dims Dims::unknownOfRank(size_t rank) {
  Dims r;
  r.d.resize(rank);
  return r;
}

bool Dims::allKnown() const noexcept {
  if (!rankKnown) return false;
  for (const auto& x : d) {
    if (!x.known()) return false;
  }
  return true;
}

std::optional<std::vector<int64_t>> Dims::sizes() const {
  if (!allKnown()) return std::nullopt;
  std::vector<int64_t> s;
  for (const auto& x : d) s.push_back(x.value);
  return s;
}

int64_t Dims::numel() const noexcept {
  if (!allKnown()) return -1;
  int64_t n = 1;
  for (const auto& x : d) n *= x.value;
  return n;
}

std::string Dims::str() const {
  if (!rankKnown) return "?";
  if (d.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i) s += 'x';
    s += d[i].known() ? std::to_string(d[i].value) : (d[i].symbol.empty() ? "?" : d[i].symbol);
  }
  return s;
}

int64_t numelOf(const std::vector<int64_t>& shape) noexcept {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

std::string shapeString(const std::vector<int64_t>& shape) { return Dims::of(shape).str(); }

HostTensor::HostTensor() : type_(DataType::kFloat32), shape_{0}, numel_(0) {}

HostTensor::HostTensor(DataType type, std::vector<int64_t> shape)
    : type_(type), shape_(std::move(shape)), numel_(numelOf(shape_)) {
  for (int64_t s : shape_) {
    if (s < 0) throw Error(ErrorCode::kShapeMismatch, "negative dimension in shape " + shapeString(shape_));
  }
  storage_.resize(size_t(numel_) * elementSize(type_));
}

HostTensor HostTensor::placeholder(DataType type, std::vector<int64_t> shape) {
  HostTensor t;
  t.type_ = type;
  t.shape_ = std::move(shape);
  t.numel_ = numelOf(t.shape_);
  return t;
}

void HostTensor::reshape(std::vector<int64_t> shape) {
  if (numelOf(shape) != numel_) {
    throw Error(ErrorCode::kShapeMismatch,
                "cannot reshape " + shapeString(shape_) + " to " + shapeString(shape));
  }
  shape_ = std::move(shape);
}

double HostTensor::getAsDouble(int64_t i) const {
  const std::byte* p = storage_.data() + size_t(i) * elementSize(type_);
  auto rd = [p](auto v) { std::memcpy(&v, p, sizeof v); return v; };
  switch (type_) {
    case DataType::kFloat32: return rd(float{});
    case DataType::kFloat64: return rd(double{});
    case DataType::kFloat16: return float(rd(Half{}));
    case DataType::kBFloat16: return float(rd(BFloat16{}));
    case DataType::kFloat8E4M3: return float(rd(Float8E4M3{}));
    case DataType::kFloat8E5M2: return float(rd(Float8E5M2{}));
    case DataType::kInt8: return double(rd(int8_t{}));
    case DataType::kUInt8: return double(rd(uint8_t{}));
    case DataType::kInt16: return double(rd(int16_t{}));
    case DataType::kUInt16: return double(rd(uint16_t{}));
    case DataType::kInt32: return double(rd(int32_t{}));
    case DataType::kUInt32: return double(rd(uint32_t{}));
    case DataType::kInt64: return double(rd(int64_t{}));
    case DataType::kUInt64: return double(rd(uint64_t{}));
    case DataType::kBool: return rd(uint8_t{}) ? 1.0 : 0.0;
  }
  return 0;
}

int64_t HostTensor::getAsInt64(int64_t i) const {
  const std::byte* p = storage_.data() + size_t(i) * elementSize(type_);
  auto rd = [p](auto v) { std::memcpy(&v, p, sizeof v); return v; };
  switch (type_) {
    case DataType::kInt64: return rd(int64_t{});
    case DataType::kUInt64: return int64_t(rd(uint64_t{}));
    case DataType::kInt32: return rd(int32_t{});
    case DataType::kUInt32: return rd(uint32_t{});
    default: return int64_t(getAsDouble(i));
  }
}

void HostTensor::setFromDouble(int64_t i, double v) {
  std::byte* p = storage_.data() + size_t(i) * elementSize(type_);
  auto wr = [p](auto x) { std::memcpy(p, &x, sizeof x); };
  switch (type_) {
    case DataType::kFloat32: wr(float(v)); break;
    case DataType::kFloat64: wr(v); break;
    case DataType::kFloat16: wr(Half(float(v))); break;
    case DataType::kBFloat16: wr(BFloat16(float(v))); break;
    case DataType::kFloat8E4M3: wr(Float8E4M3(float(v))); break;
    case DataType::kFloat8E5M2: wr(Float8E5M2(float(v))); break;
    case DataType::kInt8: wr(int8_t(v)); break;
    case DataType::kUInt8: wr(uint8_t(v)); break;
    case DataType::kInt16: wr(int16_t(v)); break;
    case DataType::kUInt16: wr(uint16_t(v)); break;
    case DataType::kInt32: wr(int32_t(v)); break;
    case DataType::kUInt32: wr(uint32_t(v)); break;
    case DataType::kInt64: wr(int64_t(v)); break;
    case DataType::kUInt64: wr(uint64_t(v)); break;
    case DataType::kBool: wr(uint8_t(v != 0)); break;
  }
}

std::vector<int64_t> HostTensor::toInt64Vector() const {
  std::vector<int64_t> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[size_t(i)] = getAsInt64(i);
  return v;
}

std::vector<double> HostTensor::toDoubleVector() const {
  std::vector<double> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[size_t(i)] = getAsDouble(i);
  return v;
}

HostTensor HostTensor::fromDoubles(DataType type, std::vector<int64_t> shape, const std::vector<double>& values) {
  HostTensor t(type, std::move(shape));
  if (int64_t(values.size()) != t.numel()) {
    throw Error(ErrorCode::kInvalidArgument, "value count does not match shape " + shapeString(t.shape()));
  }
  for (int64_t i = 0; i < t.numel(); ++i) t.setFromDouble(i, values[size_t(i)]);
  return t;
}

HostTensor HostTensor::fromInt64s(const std::vector<int64_t>& values, bool scalar) {
  HostTensor t(DataType::kInt64, scalar ? std::vector<int64_t>{} : std::vector<int64_t>{int64_t(values.size())});
  if (scalar && values.size() != 1) throw Error(ErrorCode::kInvalidArgument, "a scalar holds one value");
  std::memcpy(t.raw(), values.data(), values.size() * sizeof(int64_t));
  return t;
}

HostTensor HostTensor::castTo(DataType type) const {
  HostTensor out(type, shape_);
  if (type == type_) {
    std::memcpy(out.raw(), raw(), bytes());
    return out;
  }
  const bool intToInt = isInteger(type_) && isInteger(type);
  for (int64_t i = 0; i < numel_; ++i) {
    if (intToInt) {
      // integer to integer wraps as C++ conversions do, without a trip through double
      int64_t v = getAsInt64(i);
      std::byte* p = static_cast<std::byte*>(out.raw()) + size_t(i) * elementSize(type);
      std::memcpy(p, &v, elementSize(type));  // little-endian truncation
    } else {
      double v = getAsDouble(i);
      if (isInteger(type) && !std::isfinite(v)) v = 0;
      out.setFromDouble(i, v);
    }
  }
  return out;
}

}  // namespace kiln
