#include "cli/cli_common.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "kiln/errors.h"

namespace kiln::cli {

std::pair<std::string, std::string> splitAssignment(const std::string& arg, const char* what) {
  auto eq = arg.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    throw Error(ErrorCode::kInvalidArgument, std::string("expected NAME=") + what + ", got '" + arg + "'");
  }
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

std::pair<std::string, std::vector<int64_t>> parseShapeArg(const std::string& arg) {
  auto [name, dims] = splitAssignment(arg, "DIMS (e.g. input=1x3x224x224)");
  std::vector<int64_t> sizes;
  size_t pos = 0;
  while (pos <= dims.size()) {
    size_t x = dims.find_first_of("x,", pos);
    std::string part = dims.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    char* end = nullptr;
    long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v < 0) {
      throw Error(ErrorCode::kInvalidArgument, "bad dimension '" + part + "' in '" + arg + "'");
    }
    sizes.push_back(v);
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  return {name, sizes};
}

std::string sanitizeFileName(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

std::string formatBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string formatFlops(int64_t flops) {
  const char* units[] = {"FLOP", "KFLOP", "MFLOP", "GFLOP", "TFLOP"};
  double v = double(flops);
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

std::string tensorStats(const HostTensor& t) {
  if (t.numel() == 0) return "empty";
  double mn = std::numeric_limits<double>::infinity(), mx = -mn, sum = 0, sq = 0;
  int64_t nans = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v = t.getAsDouble(i);
    if (std::isnan(v)) { ++nans; continue; }
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += v;
    sq += v * v;
  }
  const double n = double(t.numel() - nans);
  const double mean = n > 0 ? sum / n : 0;
  const double var = n > 0 ? std::max(0.0, sq / n - mean * mean) : 0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "min %.6g  max %.6g  mean %.6g  std %.6g", mn, mx, mean, std::sqrt(var));
  std::string s = buf;
  if (nans) s += "  NaN " + std::to_string(nans);
  return s;
}

}  // namespace kiln::cli
