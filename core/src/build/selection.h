// Tactic selection for each target: for every layer of the network (at the
// opt shapes), offer the target's tactics to chooseTactic() and record them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "build/tactic_choice.h"
#include "kiln/network.h"

namespace kiln::build {

/// The chosen tactic and its prepared state for every layer, in layer order.
struct Selection {
  std::vector<std::string> tactics;
  std::vector<std::string> states;
};

/// Selection on the CPU: tactics time on the host, on real intermediate
/// values where the model runs on synthetic inputs. Fills ctx.report.layers.
Selection selectCpuTactics(const Network& atOpt, const std::map<std::string, std::vector<int64_t>>& optShapes,
                           SelectionContext& ctx, const std::function<void(int32_t)>& step);

/// Selection on the GPU: tactics prepare and time on the device with CUDA
/// events, on random device inputs. Fills ctx.report.layers. Only in builds
/// with the CUDA backend.
Selection selectCudaTactics(const Network& atOpt, const std::map<std::string, Precision>& precisions,
                            SelectionContext& ctx, const std::function<void(int32_t)>& step);

}  // namespace kiln::build
