#include "kiln/version.h"

#ifdef KILN_HAVE_CUDA
#include "backend/cuda/device.h"
#endif

namespace kiln {

const char* version() noexcept { return KILN_VERSION; }

std::string backendsDescription() {
  std::string s = "cpu (reference)";
#ifdef KILN_HAVE_CUDA
  s += ", cuda (" + backend::cuda::versionLine() + ")";
#endif
  return s;
}

bool cudaAvailable() {
#ifdef KILN_HAVE_CUDA
  return backend::cuda::deviceAvailable();
#else
  return false;
#endif
}

}  // namespace kiln
