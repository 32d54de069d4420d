#include "kiln/errors.h"

namespace kiln {

namespace {
std::string format(const std::string& message, const ErrorLocation& w) {
  std::string where;
  auto add = [&](const std::string& s) { where += (where.empty() ? "" : ", ") + s; };
  if (!w.file.empty()) add(w.file);
  if (!w.node.empty()) add("node '" + w.node + "'");
  if (!w.op.empty()) add("op " + w.op + (w.opset >= 0 ? " (opset " + std::to_string(w.opset) + ")" : ""));
  else if (w.opset >= 0) add("opset " + std::to_string(w.opset));
  std::string line = where.empty() ? message : where + ": " + message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}
}  // namespace

Error::Error(ErrorCode code, std::string message, ErrorLocation where)
    : std::runtime_error(format(message, where)),
      code_(code),
      message_(std::move(message)),
      where_(std::move(where)) {}

Error Error::withContext(const ErrorLocation& outer) const {
  ErrorLocation w = where_;
  if (w.file.empty()) w.file = outer.file;
  if (w.node.empty()) w.node = outer.node;
  if (w.op.empty()) w.op = outer.op;
  if (w.opset < 0) w.opset = outer.opset;
  return Error(code_, message_, w);
}

const char* toString(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kFileNotFound: return "file-not-found";
    case ErrorCode::kInvalidModel: return "invalid-model";
    case ErrorCode::kCheckerFailed: return "checker-failed";
    case ErrorCode::kUnsupportedOp: return "unsupported-op";
    case ErrorCode::kUnsupportedType: return "unsupported-type";
    case ErrorCode::kShapeMismatch: return "shape-mismatch";
    case ErrorCode::kInvalidPlan: return "invalid-plan";
    case ErrorCode::kIoError: return "io-error";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

}  // namespace kiln
