#include "kiln/npy.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiln/errors.h"
#include "tools/file_bytes.h"

namespace kiln {

namespace {

struct NpyType {
  const char* descr;
  DataType type;
};
constexpr NpyType kNpyTypes[] = {
    {"f4", DataType::kFloat32}, {"f8", DataType::kFloat64}, {"f2", DataType::kFloat16},
    {"i1", DataType::kInt8},    {"u1", DataType::kUInt8},   {"i2", DataType::kInt16},
    {"u2", DataType::kUInt16},  {"i4", DataType::kInt32},   {"u4", DataType::kUInt32},
    {"i8", DataType::kInt64},   {"u8", DataType::kUInt64},  {"b1", DataType::kBool},
};

Error bad(const std::string& name, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "not a valid .npy file: " + what, ErrorLocation{name, {}, {}, -1});
}

// Finds the value text after 'key': in the header dict.
std::string field(const std::string& header, const std::string& key, const std::string& name) {
  auto k = header.find("'" + key + "'");
  if (k == std::string::npos) throw bad(name, "header has no '" + key + "'");
  auto colon = header.find(':', k);
  if (colon == std::string::npos) throw bad(name, "malformed header");
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos) throw bad(name, "malformed header");
  size_t end;
  if (header[start] == '(') end = header.find(')', start) + 1;
  else if (header[start] == '\'') end = header.find('\'', start + 1) + 1;
  else end = header.find_first_of(",}", start);
  if (end == std::string::npos || end == 0) throw bad(name, "malformed header");
  return header.substr(start, end - start);
}

}  // namespace

HostTensor parseNpy(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw bad(name, "missing the NUMPY magic");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw bad(name, "truncated header");
    uint32_t len;
    std::memcpy(&len, bytes.data() + 8, 4);
    headerLen = len;
    offset = 12;
  } else {
    throw bad(name, "unknown format version " + std::to_string(major));
  }
  if (offset + headerLen > bytes.size()) throw bad(name, "truncated header");
  const std::string header = bytes.substr(offset, headerLen);
  std::string descr = field(header, "descr", name);
  std::string fortran = field(header, "fortran_order", name);
  std::string shapeText = field(header, "shape", name);
  if (fortran.find("True") != std::string::npos) {
    throw Error(ErrorCode::kUnsupportedType, "Fortran-ordered arrays are not supported", ErrorLocation{name, {}, {}, -1});
  }
  descr = descr.substr(1, descr.size() - 2);  // strip quotes
  if (descr.size() < 3 || descr[0] == '>') {
    throw Error(ErrorCode::kUnsupportedType, "dtype '" + descr + "' is not supported", ErrorLocation{name, {}, {}, -1});
  }
  std::string code = descr.substr(1);
  const NpyType* found = nullptr;
  for (const auto& t : kNpyTypes) {
    if (code == t.descr) found = &t;
  }
  if (!found) {
    throw Error(ErrorCode::kUnsupportedType, "dtype '" + descr + "' is not supported", ErrorLocation{name, {}, {}, -1});
  }
  std::vector<int64_t> shape;
  std::string inner = shapeText.substr(1, shapeText.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos) continue;
    try {
      int64_t v = std::stoll(item);
      if (v < 0) throw bad(name, "negative dimension");
      shape.push_back(v);
    } catch (const std::logic_error&) {
      throw bad(name, "malformed shape " + shapeText);
    }
  }
  HostTensor t(found->type, shape);
  const size_t dataStart = offset + headerLen;
  if (bytes.size() - dataStart < t.bytes()) {
    throw bad(name, "holds " + std::to_string(bytes.size() - dataStart) + " data bytes; shape " + shapeString(shape) +
                        " needs " + std::to_string(t.bytes()));
  }
  std::memcpy(t.raw(), bytes.data() + dataStart, t.bytes());
  return t;
}

HostTensor readNpy(const std::string& path) { return parseNpy(tools::readFileBytes(path), path); }

void writeNpy(const HostTensor& tensor, const std::string& path) {
  const HostTensor* t = &tensor;
  HostTensor widened;
  if (t->type() == DataType::kBFloat16 || t->type() == DataType::kFloat8E4M3 || t->type() == DataType::kFloat8E5M2) {
    widened = t->castTo(DataType::kFloat32);
    t = &widened;
  }
  const char* code = nullptr;
  for (const auto& n : kNpyTypes) {
    if (n.type == t->type()) code = n.descr;
  }
  // NumPy spells a 1-tuple "(n,)"
  std::string shape = "(";
  for (size_t i = 0; i < t->rank(); ++i) shape += std::to_string(t->shape()[i]) + (t->rank() == 1 || i + 1 < t->rank() ? "," : "");
  shape += ")";
  std::string header = std::string("{'descr': '") + (t->type() == DataType::kBool || elementSize(t->type()) == 1 ? "|" : "<") +
                       code + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kIoError, "cannot write the file", ErrorLocation{path, {}, {}, -1});
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = uint16_t(header.size());
  const char lenBytes[2] = {char(len & 0xff), char(len >> 8)};
  out.write(lenBytes, 2);
  out << header;
  out.write(static_cast<const char*>(t->raw()), std::streamsize(t->bytes()));
  if (!out) throw Error(ErrorCode::kIoError, "writing failed", ErrorLocation{path, {}, {}, -1});
}

}  // namespace kiln
