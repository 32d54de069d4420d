#include "cli/engine_loading.h"

#include <cctype>
#include <fstream>

#include "kiln/errors.h"
#include "kiln/onnx.h"

namespace kiln::cli {

bool isPlanFile(const std::string& path) {
  // A damaged magic must still be reported as a bad plan, not as a bad model.
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".plan") == 0) return true;
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in.gcount() == 8 && std::string(magic, 8) == "KILNPLAN";
}

std::shared_ptr<const Engine> loadOrBuildEngine(const std::string& path, const BuilderConfig& config) {
  if (isPlanFile(path)) return Runtime::loadFile(path);
  Network net = importOnnx(path);
  return Runtime::load(Builder().buildPlan(net, config), path);
}

int64_t parseBytes(const std::string& text) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (const std::logic_error&) {
    throw Error(ErrorCode::kInvalidArgument, "bad size '" + text + "' (e.g. 1G, 512M, 4096)");
  }
  std::string unit = text.substr(pos);
  for (char& c : unit) c = char(std::toupper(static_cast<unsigned char>(c)));
  if (unit == "B") unit.clear();
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (!unit.empty() && unit.back() == 'I') unit.pop_back();
  double scale = 1;
  if (unit == "K") scale = 1024.0;
  else if (unit == "M") scale = 1024.0 * 1024;
  else if (unit == "G") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty()) throw Error(ErrorCode::kInvalidArgument, "bad size unit in '" + text + "' (K, M, G or T)");
  if (value < 0) throw Error(ErrorCode::kInvalidArgument, "size must not be negative: '" + text + "'");
  return int64_t(value * scale);
}

}  // namespace kiln::cli
