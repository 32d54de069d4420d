#include "build/timing_cache.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kiln/errors.h"

namespace kiln::build {

namespace {
constexpr int kCacheFormat = 1;

std::string attributeText(const Attribute& a) {
  std::ostringstream os;
  switch (a.kind) {
    case Attribute::Kind::kInt: os << a.i; break;
    case Attribute::Kind::kFloat: os << a.f; break;
    case Attribute::Kind::kString: os << '"' << a.s << '"'; break;
    case Attribute::Kind::kInts: for (auto v : a.ints) os << v << ','; break;
    case Attribute::Kind::kFloats: for (auto v : a.floats) os << v << ','; break;
    case Attribute::Kind::kStrings: for (const auto& v : a.strings) os << v << ','; break;
    case Attribute::Kind::kTensor: os << "tensor" << shapeString(a.t->shape()); break;
  }
  return os.str();
}
}  // namespace

std::string layerSignature(const Layer& layer, const std::vector<std::string>& inputTypes,
                           const std::vector<std::vector<int64_t>>& inputShapes, Precision precision) {
  std::ostringstream os;
  os << layer.domain << ':' << layer.op << '|' << toString(precision) << '|';
  for (const auto& [name, a] : layer.attrs) os << name << '=' << attributeText(a) << ';';
  os << '|';
  for (size_t i = 0; i < inputShapes.size(); ++i) {
    os << (i < inputTypes.size() ? inputTypes[i] : "") << '[' << shapeString(inputShapes[i]) << ']';
  }
  return os.str();
}

std::string TimingCache::load(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return {};
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    auto j = nlohmann::json::parse(text.str());
    if (j.at("format").get<int>() != kCacheFormat) return "timing cache " + path + " has another format; ignored";
    if (j.at("device").get<std::string>() != device_) {
      return "timing cache " + path + " is for device '" + j.at("device").get<std::string>() + "', not '" + device_ +
             "'; ignored";
    }
    std::map<std::string, double> entries;
    for (const auto& [key, ms] : j.at("entries").items()) entries[key] = ms.get<double>();
    entries_ = std::move(entries);
  } catch (const nlohmann::json::exception&) {
    return "timing cache " + path + " is corrupt; ignored";
  }
  return {};
}

void TimingCache::save(const std::string& path) const {
  nlohmann::json j;
  j["format"] = kCacheFormat;
  j["device"] = device_;
  j["entries"] = entries_;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(1) << "\n";
    if (!out) throw Error(ErrorCode::kIoError, "cannot write timing cache " + path);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(ErrorCode::kIoError, "cannot write timing cache " + path + ": " + ec.message());
}

std::optional<double> TimingCache::find(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void TimingCache::put(const std::string& key, double ms) { entries_[key] = ms; }

}  // namespace kiln::build
