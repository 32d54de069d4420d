// Element types, dimensions and host tensors: the vocabulary shared by the IR,
// the importer, the reference backend and the command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

/// Element type of a tensor.
enum class DataType : int32_t {
  kFloat32 = 0,    ///< IEEE binary32
  kFloat16 = 1,    ///< IEEE binary16
  kBFloat16 = 2,   ///< bfloat16 (8-bit exponent, 7-bit mantissa)
  kFloat8E4M3 = 3, ///< OCP FP8 E4M3 "fn" (no infinities)
  kFloat8E5M2 = 4, ///< OCP FP8 E5M2
  kFloat64 = 5,    ///< IEEE binary64
  kInt8 = 6,       ///< signed 8-bit integer
  kUInt8 = 7,      ///< unsigned 8-bit integer
  kInt16 = 8,      ///< signed 16-bit integer
  kUInt16 = 9,     ///< unsigned 16-bit integer
  kInt32 = 10,     ///< signed 32-bit integer
  kUInt32 = 11,    ///< unsigned 32-bit integer
  kInt64 = 12,     ///< signed 64-bit integer
  kUInt64 = 13,    ///< unsigned 64-bit integer
  kBool = 14,      ///< one byte, 0 or 1
};

/// Size of one element in bytes.
size_t elementSize(DataType t) noexcept;
/// Short lower-case name ("f32", "f16", "i64", ...).
const char* toString(DataType t) noexcept;
/// True for the floating-point types (f64, f32, f16, bf16, fp8).
bool isFloat(DataType t) noexcept;
/// True for the signed and unsigned integer types (not bool).
bool isInteger(DataType t) noexcept;
/// True for the signed integer types.
bool isSigned(DataType t) noexcept;
/// Parses a name made by toString(); returns nullopt for anything else.
std::optional<DataType> dataTypeFromString(std::string_view name) noexcept;

/// One dimension of a shape: a known size, or unknown, optionally with a
/// symbolic name ("batch", "seq") that is kept through import and inference.
struct Dim {
  int64_t value = -1;  ///< the size; -1 when unknown
  std::string symbol;  ///< the symbolic name when the size is unknown, may be empty

  Dim() = default;
  /// A known size.
  Dim(int64_t v) : value(v) {}  // NOLINT(google-explicit-constructor): sizes read as dims
  /// An unknown size with a name.
  static Dim symbolic(std::string name) { Dim d; d.symbol = std::move(name); return d; }
  /// True when the size is a number.
  bool known() const noexcept { return value >= 0; }
  bool operator==(const Dim& o) const noexcept { return value == o.value && symbol == o.symbol; }
};

/// A shape whose rank may be unknown and whose dimensions may be symbolic.
struct Dims {
  std::vector<Dim> d;     ///< the dimensions, outermost first
  bool rankKnown = true;  ///< false when not even the rank is known

  Dims() = default;
  /// A shape of known dimensions.
  Dims(std::initializer_list<int64_t> sizes);
  /// A shape from known sizes.
  static Dims of(const std::vector<int64_t>& sizes);
  /// A shape of unknown rank.
  static Dims unknownRank() { Dims s; s.rankKnown = false; return s; }
  /// A shape of known rank whose dimensions are all unknown.
  static Dims unknownOfRank(size_t rank);

  size_t rank() const noexcept { return d.size(); }
  /// True when the rank and every dimension are known numbers.
  bool allKnown() const noexcept;
  /// The sizes, when allKnown(); otherwise nullopt.
  std::optional<std::vector<int64_t>> sizes() const;
  /// Product of the sizes when allKnown(), otherwise -1.
  int64_t numel() const noexcept;
  const Dim& operator[](size_t i) const { return d[i]; }
  Dim& operator[](size_t i) { return d[i]; }
  bool operator==(const Dims& o) const noexcept { return rankKnown == o.rankKnown && d == o.d; }
  /// "1x3x224x224", "batchx3x?x?" or "?" for unknown rank; "scalar" for rank 0.
  std::string str() const;
};

/// Number of elements of a shape of known sizes (1 for a scalar).
int64_t numelOf(const std::vector<int64_t>& shape) noexcept;
/// "1x3x224x224" for known sizes; "scalar" for rank 0.
std::string shapeString(const std::vector<int64_t>& shape);

/// A dense, row-major tensor in host memory. Copies share nothing: a
/// HostTensor owns its bytes, and copying it copies them.
class HostTensor {
 public:
  /// An empty f32 scalar-less tensor (no elements, rank 1 of size 0).
  HostTensor();
  /// A zero-filled tensor of the given type and shape.
  HostTensor(DataType type, std::vector<int64_t> shape);

  DataType type() const noexcept { return type_; }
  const std::vector<int64_t>& shape() const noexcept { return shape_; }
  size_t rank() const noexcept { return shape_.size(); }
  int64_t numel() const noexcept { return numel_; }
  size_t bytes() const noexcept { return storage_.size(); }

  /// Raw bytes, row-major.
  void* raw() noexcept { return storage_.data(); }
  const void* raw() const noexcept { return storage_.data(); }
  /// Typed access; T must match the element size of type().
  template <class T> T* data() noexcept { return reinterpret_cast<T*>(storage_.data()); }
  template <class T> const T* data() const noexcept { return reinterpret_cast<const T*>(storage_.data()); }

  /// A tensor with a type and shape but no storage, for operators that read
  /// shapes alone (Shape, Size) during static inference. raw() is null.
  static HostTensor placeholder(DataType type, std::vector<int64_t> shape);
  /// False for placeholders.
  bool hasData() const noexcept { return numel_ == 0 || !storage_.empty(); }

  /// Changes the shape without touching the data; the element count must stay.
  void reshape(std::vector<int64_t> shape);

  /// Element i converted to double (bool reads as 0/1).
  double getAsDouble(int64_t i) const;
  /// Element i converted to int64 (floats truncate toward zero).
  int64_t getAsInt64(int64_t i) const;
  /// Stores v, converted to type(), at element i.
  void setFromDouble(int64_t i, double v);
  /// All elements as int64, for small index and shape tensors.
  std::vector<int64_t> toInt64Vector() const;
  /// All elements as double.
  std::vector<double> toDoubleVector() const;

  /// A tensor of type `type` holding `values` converted to it.
  static HostTensor fromDoubles(DataType type, std::vector<int64_t> shape, const std::vector<double>& values);
  /// An i64 tensor holding `values`, of shape {values.size()} or a scalar when `scalar`.
  static HostTensor fromInt64s(const std::vector<int64_t>& values, bool scalar = false);
  /// A copy of this tensor converted to another element type (ONNX Cast semantics).
  HostTensor castTo(DataType type) const;

 private:
  DataType type_;
  std::vector<int64_t> shape_;
  int64_t numel_;
  std::vector<std::byte> storage_;
};

}  // namespace kiln
