#include "onnx/tensor_proto.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "kiln/errors.h"

namespace kiln::onnximport {

namespace {
struct TypePair {
  int32_t onnx;
  DataType kiln;
};
constexpr TypePair kTypes[] = {
    {onnx::TensorProto::FLOAT, DataType::kFloat32},   {onnx::TensorProto::UINT8, DataType::kUInt8},
    {onnx::TensorProto::INT8, DataType::kInt8},       {onnx::TensorProto::UINT16, DataType::kUInt16},
    {onnx::TensorProto::INT16, DataType::kInt16},     {onnx::TensorProto::INT32, DataType::kInt32},
    {onnx::TensorProto::INT64, DataType::kInt64},     {onnx::TensorProto::BOOL, DataType::kBool},
    {onnx::TensorProto::FLOAT16, DataType::kFloat16}, {onnx::TensorProto::DOUBLE, DataType::kFloat64},
    {onnx::TensorProto::UINT32, DataType::kUInt32},   {onnx::TensorProto::UINT64, DataType::kUInt64},
    {onnx::TensorProto::BFLOAT16, DataType::kBFloat16},
    {17, DataType::kFloat8E4M3},  // FLOAT8E4M3FN (newer than this libonnx's enum)
    {19, DataType::kFloat8E5M2},  // FLOAT8E5M2
};

Error tensorError(ErrorCode code, const std::string& name, const std::string& what) {
  return Error(code, "tensor '" + name + "': " + what);
}
}  // namespace

std::optional<DataType> fromOnnxType(int32_t onnxType) {
  for (const auto& p : kTypes) {
    if (p.onnx == onnxType) return p.kiln;
  }
  return std::nullopt;
}

int32_t toOnnxType(DataType t) {
  for (const auto& p : kTypes) {
    if (p.kiln == t) return p.onnx;
  }
  return 0;
}

std::string onnxTypeName(int32_t onnxType) {
  switch (onnxType) {
    case 17: return "FLOAT8E4M3FN";
    case 18: return "FLOAT8E4M3FNUZ";
    case 19: return "FLOAT8E5M2";
    case 20: return "FLOAT8E5M2FNUZ";
    case 21: return "UINT4";
    case 22: return "INT4";
    default: break;
  }
  if (onnx::TensorProto::DataType_IsValid(onnxType)) {
    return onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(onnxType));
  }
  return "type " + std::to_string(onnxType);
}

static std::string readExternal(const onnx::TensorProto& proto, const std::string& baseDir, size_t wanted) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location") location = kv.value();
    else if (kv.key() == "offset") offset = std::stoll(kv.value());
    else if (kv.key() == "length") length = std::stoll(kv.value());
  }
  if (location.empty()) throw tensorError(ErrorCode::kInvalidModel, proto.name(), "external data has no location");
  std::filesystem::path path = std::filesystem::path(baseDir) / location;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw tensorError(ErrorCode::kFileNotFound, proto.name(), "external data file " + path.string() + " cannot be read");
  }
  in.seekg(0, std::ios::end);
  const int64_t size = in.tellg();
  if (length < 0) length = int64_t(wanted);
  if (offset < 0 || offset + length > size) {
    throw tensorError(ErrorCode::kInvalidModel, proto.name(),
                      "external data range is outside " + path.string() + " (truncated file?)");
  }
  std::string bytes(size_t(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  return bytes;
}

HostTensor tensorFromProto(const onnx::TensorProto& proto, const std::string& baseDir) {
  auto type = fromOnnxType(proto.data_type());
  if (!type) {
    throw tensorError(ErrorCode::kUnsupportedType, proto.name(),
                      "data type " + onnxTypeName(proto.data_type()) + " is not supported");
  }
  std::vector<int64_t> shape(proto.dims().begin(), proto.dims().end());
  for (int64_t d : shape) {
    if (d < 0) throw tensorError(ErrorCode::kInvalidModel, proto.name(), "negative dimension");
  }
  if (proto.has_segment()) throw tensorError(ErrorCode::kUnsupportedType, proto.name(), "segmented tensors are not supported");
  HostTensor t(*type, shape);
  const size_t es = elementSize(*type);
  const size_t n = size_t(t.numel());
  auto expectCount = [&](size_t got) {
    if (got != n) {
      throw tensorError(ErrorCode::kInvalidModel, proto.name(),
                        "holds " + std::to_string(got) + " values; its shape " + shapeString(shape) + " needs " +
                            std::to_string(n));
    }
  };
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string bytes = readExternal(proto, baseDir, n * es);
    expectCount(bytes.size() / es);
    if (bytes.size() != n * es) throw tensorError(ErrorCode::kInvalidModel, proto.name(), "external data has the wrong size");
    std::memcpy(t.raw(), bytes.data(), bytes.size());
    return t;
  }
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (raw.size() != n * es) {
      throw tensorError(ErrorCode::kInvalidModel, proto.name(),
                        "raw data has " + std::to_string(raw.size()) + " bytes; shape " + shapeString(shape) +
                            " of " + toString(*type) + " needs " + std::to_string(n * es));
    }
    std::memcpy(t.raw(), raw.data(), raw.size());
    return t;
  }
  switch (*type) {
    case DataType::kFloat32:
      expectCount(size_t(proto.float_data_size()));
      std::memcpy(t.raw(), proto.float_data().data(), n * 4);
      break;
    case DataType::kFloat64:
      expectCount(size_t(proto.double_data_size()));
      std::memcpy(t.raw(), proto.double_data().data(), n * 8);
      break;
    case DataType::kInt64:
      expectCount(size_t(proto.int64_data_size()));
      std::memcpy(t.raw(), proto.int64_data().data(), n * 8);
      break;
    case DataType::kUInt32:
    case DataType::kUInt64:
      expectCount(size_t(proto.uint64_data_size()));
      for (size_t i = 0; i < n; ++i) {
        uint64_t v = proto.uint64_data(int(i));
        std::memcpy(static_cast<std::byte*>(t.raw()) + i * es, &v, es);
      }
      break;
    default:  // 8/16/32-bit types travel in int32_data (fp16/bf16/fp8 as bit patterns)
      expectCount(size_t(proto.int32_data_size()));
      for (size_t i = 0; i < n; ++i) {
        int32_t v = proto.int32_data(int(i));
        std::memcpy(static_cast<std::byte*>(t.raw()) + i * es, &v, es);
      }
      break;
  }
  return t;
}

void tensorToProto(const HostTensor& t, const std::string& name, onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(toOnnxType(t.type()));
  for (int64_t d : t.shape()) proto->add_dims(d);
  proto->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.bytes()));
}

}  // namespace kiln::onnximport
