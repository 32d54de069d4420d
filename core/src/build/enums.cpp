#include "kiln/builder.h"

namespace kiln {

const char* toString(Precision p) noexcept {
  switch (p) {
    case Precision::kFP32: return "fp32";
    case Precision::kTF32: return "tf32";
    case Precision::kFP16: return "fp16";
    case Precision::kBF16: return "bf16";
    case Precision::kINT8: return "int8";
    case Precision::kFP8: return "fp8";
  }
  return "?";
}

std::optional<Precision> precisionFromString(std::string_view s) noexcept {
  for (int i = 0; i <= int(Precision::kFP8); ++i) {
    if (s == toString(Precision(i))) return Precision(i);
  }
  return std::nullopt;
}

const char* toString(Target t) noexcept { return t == Target::kCpu ? "cpu" : "cuda"; }

}  // namespace kiln
