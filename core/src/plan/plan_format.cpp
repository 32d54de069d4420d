// The plan file: preamble, header and payload, and the checks that make any
// damaged or foreign file fail with a clear error before anything trusts it.
#include <sys/utsname.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string_view>

#include "kiln/errors.h"
#include "kiln/plan.h"
#ifdef KILN_HAVE_CUDA
#include "backend/cuda/device.h"
#endif
#include "plan/checksum.h"
#include "plan/engine_desc.h"
#include "plan/plan.pb.h"

namespace kiln {

namespace {
constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'P', 'L', 'A', 'N'};
// Magic, format version, header length.
constexpr size_t kPreambleBytes = 16;
// header_checksum (field 15, fixed64) closes the header: its tag, then 8 bytes.
constexpr unsigned char kHeaderChecksumTag = (15 << 3) | 1;
constexpr size_t kHeaderChecksumBytes = 9;
// A header holds a few names and numbers; anything larger is damage.
constexpr uint64_t kMaxHeaderBytes = 1 << 20;

int64_t alignUp(int64_t v) { return (v + kPlanAlignment - 1) / kPlanAlignment * kPlanAlignment; }

void putLE(char* at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) at[i] = char((v >> (8 * i)) & 0xff);
}

uint64_t getLE(const char* at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | uint8_t(at[i]);
  return v;
}

// The checksum of a serialized header, taken with its own checksum's bytes zeroed.
uint64_t headerChecksum(std::string header) {
  std::memset(header.data() + header.size() - 8, 0, 8);
  return plan::xxhash64(header.data(), header.size());
}

ErrorLocation inFile(const std::string& file) {
  ErrorLocation where;
  where.file = file;
  return where;
}

std::string describe(const PlanTarget& t) {
  std::string s = std::string(t.target == Target::kCuda ? "cuda" : "cpu") + " '" + t.device + "'";
  if (t.target == Target::kCuda) s += " (sm_" + std::to_string(t.computeMajor) + std::to_string(t.computeMinor) + ")";
  return s;
}

bool sameMachine(const PlanTarget& a, const PlanTarget& b) {
  return a.target == b.target && a.device == b.device && a.computeMajor == b.computeMajor &&
         a.computeMinor == b.computeMinor;
}

plan::PlanHeader makeHeader(const PlanContents& plan) {
  plan::PlanHeader h;
  h.set_kiln_version(plan.kilnVersion);
  h.set_format_version(kPlanFormatVersion);
  h.set_target(plan.target.target == Target::kCuda ? plan::TARGET_CUDA : plan::TARGET_CPU);
  h.set_device(plan.target.device);
  h.set_compute_major(plan.target.computeMajor);
  h.set_compute_minor(plan.target.computeMinor);
  for (const auto& [name, version] : plan.target.libraries) {
    plan::LibraryVersion* l = h.add_libraries();
    l->set_name(name);
    l->set_version(version);
  }
  h.set_payload_size(0);
  h.set_payload_checksum(0);
  h.set_header_checksum(0);
  return h;
}

std::string serializeHeader(const plan::PlanHeader& h) {
  std::string s;
  if (!h.SerializeToString(&s)) throw Error(ErrorCode::kInternal, "plan: cannot serialize the header");
  return s;
}

// Reads and checks everything before the payload: on success the header's
// checksum matched and the file is exactly as long as the header says.
plan::PlanHeader readHeader(const std::string& bytes, const std::string& displayName) {
  auto fail = [&](const std::string& what) { return Error(ErrorCode::kInvalidPlan, what, inFile(displayName)); };
  auto truncated = [&](const std::string& expected) {
    return fail("truncated plan: " + std::to_string(bytes.size()) + " bytes, expected " + expected);
  };
  const size_t n = bytes.size();
  if (std::memcmp(bytes.data(), kMagic, std::min(n, sizeof kMagic)) != 0) throw fail("not a Kiln plan (bad magic)");
  if (n < 12) throw truncated("at least " + std::to_string(kPreambleBytes));
  const uint64_t version = getLE(bytes.data() + 8, 4);
  if (version != kPlanFormatVersion) {
    throw fail("plan format version " + std::to_string(version) + "; this Kiln reads version " +
               std::to_string(kPlanFormatVersion));
  }
  if (n < kPreambleBytes) throw truncated("at least " + std::to_string(kPreambleBytes));
  const uint64_t headerBytes = getLE(bytes.data() + 12, 4);
  if (headerBytes < kHeaderChecksumBytes || headerBytes > kMaxHeaderBytes) {
    throw fail("corrupt plan: header length " + std::to_string(headerBytes));
  }
  if (n < kPreambleBytes + headerBytes) throw truncated("at least " + std::to_string(kPreambleBytes + headerBytes));

  const std::string raw = bytes.substr(kPreambleBytes, headerBytes);
  if (uint8_t(raw[headerBytes - kHeaderChecksumBytes]) != kHeaderChecksumTag ||
      getLE(raw.data() + headerBytes - 8, 8) != headerChecksum(raw)) {
    throw fail("corrupt plan: header checksum mismatch");
  }
  plan::PlanHeader h;
  if (!h.ParseFromString(raw) || !h.has_payload_size() || !h.has_payload_checksum()) {
    throw fail("corrupt plan: unreadable header");
  }
  if (h.format_version() != version) {
    throw fail("corrupt plan: the header says format version " + std::to_string(h.format_version()) +
               ", the file says " + std::to_string(version));
  }
  const uint64_t available = n - kPreambleBytes - headerBytes;
  if (h.payload_size() > available) {
    throw truncated(std::to_string(kPreambleBytes + headerBytes + h.payload_size()));
  }
  if (h.payload_size() < available) {
    throw fail("corrupt plan: " + std::to_string(available - h.payload_size()) + " stray bytes after the payload");
  }
  if (h.target() != plan::TARGET_CPU && h.target() != plan::TARGET_CUDA) {
    throw fail("plan is for an unknown target kind " + std::to_string(int(h.target())));
  }
  return h;
}

PlanTarget targetOf(const plan::PlanHeader& h) {
  PlanTarget t;
  t.target = h.target() == plan::TARGET_CUDA ? Target::kCuda : Target::kCpu;
  t.device = h.device();
  t.computeMajor = h.compute_major();
  t.computeMinor = h.compute_minor();
  for (const auto& l : h.libraries()) t.libraries[l.name()] = l.version();
  return t;
}
}  // namespace

std::string serializePlan(const PlanContents& plan) {
  plan::DescribedEngine engine = plan::describeEngine(plan);
  std::string desc;
  if (!engine.desc.SerializeToString(&desc)) throw Error(ErrorCode::kInternal, "plan: cannot serialize the engine");

  // The header's fixed64 fields keep its length independent of the values
  // written last, so the layout can be computed from a placeholder header.
  plan::PlanHeader header = makeHeader(plan);
  const int64_t headerBytes = int64_t(header.ByteSizeLong());
  const int64_t payloadStart = int64_t(kPreambleBytes) + headerBytes;
  const int64_t blobStart = alignUp(payloadStart + 8 + int64_t(desc.size()));
  const int64_t fileBytes = blobStart + engine.blobBytes;

  std::string out(size_t(fileBytes), '\0');
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  putLE(out.data() + 8, kPlanFormatVersion, 4);
  putLE(out.data() + 12, uint64_t(headerBytes), 4);
  putLE(out.data() + payloadStart, desc.size(), 8);
  std::memcpy(out.data() + payloadStart + 8, desc.data(), desc.size());
  for (const plan::WeightSlot& w : engine.weights) {
    if (w.data->bytes() > 0) std::memcpy(out.data() + blobStart + w.offset, w.data->raw(), w.data->bytes());
  }

  header.set_payload_size(uint64_t(fileBytes - payloadStart));
  header.set_payload_checksum(plan::xxhash64(out.data() + payloadStart, size_t(fileBytes - payloadStart)));
  header.set_header_checksum(plan::xxhash64(serializeHeader(header).data(), size_t(headerBytes)));
  const std::string headerText = serializeHeader(header);
  if (int64_t(headerText.size()) != headerBytes ||
      uint8_t(headerText[headerText.size() - kHeaderChecksumBytes]) != kHeaderChecksumTag) {
    throw Error(ErrorCode::kInternal, "plan: the header's layout changed while it was written");
  }
  std::memcpy(out.data() + kPreambleBytes, headerText.data(), headerText.size());
  return out;
}

PlanContents deserializePlan(const std::string& bytes, const std::string& displayName, const PlanTarget* expected) {
  const plan::PlanHeader header = readHeader(bytes, displayName);
  auto fail = [&](const std::string& what) { return Error(ErrorCode::kInvalidPlan, what, inFile(displayName)); };

  PlanContents plan;
  plan.kilnVersion = header.kiln_version();
  plan.target = targetOf(header);
  if (expected && !sameMachine(plan.target, *expected)) {
    throw fail("plan was built for " + describe(plan.target) + "; this machine is " + describe(*expected));
  }

  const size_t payloadStart = bytes.size() - header.payload_size();
  const std::string_view payload(bytes.data() + payloadStart, header.payload_size());
  if (plan::xxhash64(payload.data(), payload.size()) != header.payload_checksum()) {
    throw fail("corrupt plan: payload checksum mismatch");
  }
  // protobuf reads at most 2 GiB at once.
  if (payload.size() < 8 || getLE(payload.data(), 8) > std::min<uint64_t>(payload.size() - 8, INT32_MAX)) {
    throw fail("corrupt plan: bad engine description length");
  }
  const uint64_t descBytes = getLE(payload.data(), 8);
  const uint64_t blobStart = uint64_t(alignUp(int64_t(payloadStart + 8 + descBytes)));
  if (blobStart > bytes.size()) throw fail("corrupt plan: the weights start past the end of the file");

  plan::EngineDesc desc;
  if (!desc.ParseFromArray(payload.data() + 8, int(descBytes))) {
    throw fail("corrupt plan: unreadable engine description");
  }
  try {
    plan::restoreEngine(desc, std::string_view(bytes).substr(blobStart), plan);
  } catch (const Error& e) {
    throw e.withContext(inFile(displayName));
  }
  return plan;
}

PlanTarget currentTarget(Target target) {
  if (target == Target::kCuda) {
#ifdef KILN_HAVE_CUDA
    return backend::cuda::cudaTarget();
#else
    throw Error(ErrorCode::kInvalidArgument, "this build has no CUDA backend");
#endif
  }
  utsname name{};
  if (uname(&name) != 0) throw Error(ErrorCode::kInternal, "uname failed: cannot tell the CPU architecture");
  PlanTarget t;
  t.target = Target::kCpu;
  t.device = name.machine;
  t.libraries["kiln"] = KILN_VERSION;
  return t;
}

}  // namespace kiln
