#include "tools/file_bytes.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiln/errors.h"

namespace kiln::tools {

std::string readFileBytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::kFileNotFound, "no such file", ErrorLocation{path, {}, {}, -1});
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::kFileNotFound, "not a regular file", ErrorLocation{path, {}, {}, -1});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kFileNotFound, "cannot open the file", ErrorLocation{path, {}, {}, -1});
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace kiln::tools
