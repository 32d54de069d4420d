// Shapes the builder works at: profiles resolved against the network, and the
// network re-inferred at concrete input sizes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/network.h"

namespace kiln::build {

/// Concrete sizes by input name.
using InputShapes = std::map<std::string, std::vector<int64_t>>;

/// Checks the given profiles against the network's inputs and completes them:
/// every non-constant input gets a range (its static shape when the profile
/// does not name it; unknown dims then become 1 with a warning). With no
/// profiles, makes one from the static shapes. Throws Error(kInvalidArgument).
std::vector<OptimizationProfile> resolveProfiles(const Network& network, const std::vector<OptimizationProfile>& given,
                                                 std::vector<std::string>* warnings);

/// The opt (or max) shapes of one profile.
InputShapes optShapes(const OptimizationProfile& profile);
/// The element-wise largest max shapes over all profiles.
InputShapes maxShapes(const std::vector<OptimizationProfile>& profiles);

/// Known values of integer inputs, by input name.
using InputValues = std::map<std::string, HostTensor>;

/// A copy of `network` with its inputs set to `shapes` (and, for the inputs
/// in `values`, to those values, as constants) and every other tensor
/// re-inferred from them.
Network inferAt(const Network& network, const InputShapes& shapes, const InputValues& values = {});

/// The shape values of a profile as tensors of the inputs' types and shapes.
InputValues shapeValuesOf(const Network& network, const OptimizationProfile& profile);

/// True when `shape` fits `range` (same rank, min <= shape <= max).
bool fitsRange(const ShapeRange& range, const std::vector<int64_t>& shape);

}  // namespace kiln::build
