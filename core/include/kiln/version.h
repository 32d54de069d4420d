// What this build of Kiln is and what it can target.
#pragma once

#include <string>

namespace kiln {

/// The Kiln version ("0.1.0").
const char* version() noexcept;

/// One line naming the backends this build has: "cpu (reference)" and, where
/// built, "cuda (CUDA 13.0, cuDNN 9.19.0, cuBLASLt …; device …)".
std::string backendsDescription();

/// True when this build has the CUDA backend and a usable GPU.
bool cudaAvailable();

}  // namespace kiln
