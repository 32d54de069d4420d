// The plan file: a versioned, checksummed container for a built engine.
//
// Layout: the 8-byte magic "KILNPLAN", a little-endian u32 format version, a
// u32 header length, the header (a protobuf message: versions, target,
// payload size and checksum, header checksum), then the payload: the engine
// description (a protobuf message) followed by the weights, each aligned to
// kPlanAlignment bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/network.h"
#include "kiln/report.h"

namespace kiln {

/// The plan format this build writes and reads.
inline constexpr uint32_t kPlanFormatVersion = 1;
/// Alignment of every weight in the payload.
inline constexpr int64_t kPlanAlignment = 256;

/// The machine a plan was built for.
struct PlanTarget {
  Target target = Target::kCpu;
  std::string device;                           ///< GPU name, or the CPU architecture ("x86_64")
  int32_t computeMajor = 0;                     ///< compute capability (cuda only)
  int32_t computeMinor = 0;
  std::map<std::string, std::string> libraries; ///< library versions the plan's tactics depend on
};

/// Everything a plan holds.
struct PlanContents {
  std::string kilnVersion;                  ///< the Kiln version that built it
  PlanTarget target;                        ///< where it runs
  Network network;                          ///< the built network; constants hold the final weights
  std::vector<std::string> tactics;         ///< the chosen tactic per layer, in layer order
  std::vector<std::string> tacticState;     ///< opaque serialized state per layer (may be empty)
  std::vector<OptimizationProfile> profiles;///< at least one
  BuildReport report;                       ///< what the builder did
};

/// Serializes a plan. Throws Error(kInternal) when the contents are inconsistent.
std::string serializePlan(const PlanContents& plan);

/// Parses and checks a plan: magic, format version, checksums, sizes, and,
/// when `expected` is given, the target, device and capability. Throws
/// Error(kInvalidPlan) with a one-line message naming `displayName` and the
/// problem; never crashes on any input.
PlanContents deserializePlan(const std::string& bytes, const std::string& displayName,
                             const PlanTarget* expected = nullptr);

/// The target of the machine this process runs on for `target` (device name,
/// capability, library versions). Throws Error when the target is absent.
PlanTarget currentTarget(Target target);

}  // namespace kiln
