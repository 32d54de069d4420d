// The plan file: exact round trips, weight alignment, determinism, the report
// JSON, and refusal of truncated, damaged, foreign and future plans.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <sys/utsname.h>

#include <cmath>
#include <cstring>
#include <random>

#include "kiln/errors.h"
#include "kiln/plan.h"
#include "plan/checksum.h"

using namespace kiln;

namespace {

HostTensor tensorOf(DataType type, std::vector<int64_t> shape, const std::vector<double>& values) {
  return HostTensor::fromDoubles(type, std::move(shape), values);
}

// A network exercising every field the plan stores: several dtypes, a
// symbolic input dim, an unknown rank, every attribute kind, an omitted
// input, a custom domain and a multi-node origin.
Network makeNetwork() {
  Network net;
  net.name = "tiny";
  net.opsets = {{"", 17}, {"com.microsoft", 1}};
  Dims xDims;
  xDims.d = {Dim::symbolic("batch"), Dim(3), Dim(4)};
  net.addInput("x", DataType::kFloat32, xDims);
  std::vector<double> w(64);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 1000.5 + double(i);
  net.addConstant("w", tensorOf(DataType::kFloat32, {4, 16}, w));
  net.addConstant("h", tensorOf(DataType::kFloat16, {3, 7}, std::vector<double>(21, -2.5)));
  net.addConstant("idx", HostTensor::fromInt64s({0x0123456789abcdefLL, -77, 1LL << 40, 5}));
  net.addConstant("flag", tensorOf(DataType::kBool, {}, {1}));
  net.addConstant("q", tensorOf(DataType::kInt8, {2, 9}, std::vector<double>(18, -100)));
  net.addConstant("empty", HostTensor(DataType::kFloat32, {0, 3}));

  Attributes attrs;
  attrs["alpha"] = Attribute::ofFloat(0.1f);
  attrs["axis"] = Attribute::ofInt(-1);
  attrs["mode"] = Attribute::ofString(std::string("bi\0nary\xff", 8));
  attrs["pads"] = Attribute::ofInts({0, 1, 2, 3});
  attrs["scales"] = Attribute::ofFloats({1.5f, NAN, -0.0f});
  attrs["names"] = Attribute::ofStrings({"a", "", "c"});
  attrs["value"] = Attribute::ofTensor(tensorOf(DataType::kInt32, {2, 2}, {1, -2, 3, -4}));
  net.addLayer("MatMul", {"x", "w"}, {"y"}, attrs, "mm");
  Layer& fused = net.addLayer("FusedGelu", {"y", "", "h"}, {"z", "zz"}, {}, "gelu");
  fused.domain = "com.microsoft";
  fused.origin = {"Mul_1", "Erf_2", "Add_3"};
  Dims yDims;
  yDims.d = {Dim::symbolic("batch"), Dim(3), Dim(16)};
  net.tensor("y").dims = yDims;
  net.tensor("z").dims = yDims;
  net.tensor("z").type = DataType::kFloat16;
  net.markOutput("z");
  net.markOutput("zz");
  return net;
}

BuildReport makeReport() {
  BuildReport r;
  r.model = "tiny.onnx";
  r.target = "cpu";
  r.device = "x86_64";
  r.onnxNodes = 5;
  r.passes = {{"fold-batchnorm", {}, 0.0125},
              {"fuse-gelu",
               {{"fused Mul 'Mul_1', Erf 'Erf_2', Add 'Add_3' into 'gelu'", {"Mul_1", "Erf_2", "Add_3"}, "gelu"}},
               0.3333333333333333}};
  LayerReport mm;
  mm.name = "mm";
  mm.type = "MatMul";
  mm.origin = {"mm"};
  mm.precision = "fp32";
  mm.inputShapes = {"8x3x4", "4x16"};
  mm.outputShapes = {"8x3x16"};
  mm.tactic = "cpu.matmul.blocked";
  mm.ms = 0.0421;
  mm.workspaceBytes = 4096;
  mm.candidates = {{"cpu.matmul.naive", 0.25, "", false},
                   {"cpu.matmul.blocked", 0.0421, "", true},
                   {"cpu.matmul.packed", -1, "needs 2 GiB of workspace", false}};
  LayerReport gelu;
  gelu.name = "gelu";
  gelu.type = "com.microsoft:FusedGelu";
  gelu.origin = {"Mul_1", "Erf_2", "Add_3"};
  gelu.precision = "fp16";
  gelu.inputShapes = {"8x3x16", "", "3x7"};
  gelu.outputShapes = {"8x3x16", "?"};
  gelu.tactic = "cpu.pointwise";
  r.layers = {mm, gelu};
  r.memory.weightBytes = 1234;
  r.memory.activationPeakBytes = 1536;
  r.memory.activationNaiveBytes = 3072;
  r.memory.workspaceBytes = 4096;
  r.memory.buffers = {{"y", 0, 1536, 0, 1}, {"z", 0, 768, 1, 2}};
  r.buildSeconds = 1.75;
  r.timingCacheHits = 1;
  r.timingCacheMisses = 2;
  r.warnings = {"layer 'gelu' runs in fp16", "\"quoted\" and \\slashed\\"};
  return r;
}

PlanContents makePlan() {
  PlanContents p;
  p.kilnVersion = "0.1.0";
  p.target.target = Target::kCpu;
  p.target.device = "x86_64";
  p.target.libraries = {{"kiln", "0.1.0"}, {"openblas", "0.3.21"}};
  p.network = makeNetwork();
  p.tactics = {"cpu.matmul.blocked", "cpu.pointwise"};
  p.tacticState = {std::string("\x01\x00\xff\x7f", 4), ""};
  OptimizationProfile small, large;
  small.inputs["x"] = {{1, 3, 4}, {2, 3, 4}, {4, 3, 4}};
  large.inputs["x"] = {{8, 3, 4}, {16, 3, 4}, {64, 3, 4}};
  large.shapeValues["x"] = {-1, 0, 7};
  p.profiles = {small, large};
  p.report = makeReport();
  return p;
}

// Records the first difference between two values, by a readable path.
class Diff {
 public:
  template <class T>
  void eq(const T& a, const T& b, const std::string& what) {
    if (first_.empty() && !(a == b)) first_ = what;
  }
  // Bitwise, so NaN and -0.0 must survive too.
  void bits(const void* a, const void* b, size_t n, const std::string& what) {
    if (first_.empty() && n > 0 && std::memcmp(a, b, n) != 0) first_ = what;
  }
  void tensor(const HostTensor* a, const HostTensor* b, const std::string& what) {
    eq(a == nullptr, b == nullptr, what + " presence");
    if (!a || !b) return;
    eq(a->type(), b->type(), what + " type");
    eq(a->shape(), b->shape(), what + " shape");
    eq(a->bytes(), b->bytes(), what + " size");
    if (a->bytes() == b->bytes()) bits(a->raw(), b->raw(), a->bytes(), what + " data");
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

void compareNetworks(Diff& d, const Network& a, const Network& b) {
  d.eq(a.name, b.name, "name");
  d.eq(a.opsets, b.opsets, "opsets");
  d.eq(a.inputs(), b.inputs(), "inputs");
  d.eq(a.outputs(), b.outputs(), "outputs");
  d.eq(a.tensors().size(), b.tensors().size(), "tensor count");
  for (const auto& [name, ta] : a.tensors()) {
    const Tensor* tb = b.findTensor(name);
    d.eq(tb != nullptr, true, "tensor " + name + " exists");
    if (!tb) continue;
    d.eq(ta.name, tb->name, "tensor " + name + " name");
    d.eq(ta.type, tb->type, "tensor " + name + " type");
    d.eq(ta.dims, tb->dims, "tensor " + name + " dims");
    d.tensor(ta.data.get(), tb->data.get(), "tensor " + name + " data");
  }
  d.eq(a.layers().size(), b.layers().size(), "layer count");
  for (size_t i = 0; i < std::min(a.layers().size(), b.layers().size()); ++i) {
    const Layer& la = a.layers()[i];
    const Layer& lb = b.layers()[i];
    const std::string w = "layer " + std::to_string(i);
    d.eq(la.name, lb.name, w + " name");
    d.eq(la.op, lb.op, w + " op");
    d.eq(la.domain, lb.domain, w + " domain");
    d.eq(la.inputs, lb.inputs, w + " inputs");
    d.eq(la.outputs, lb.outputs, w + " outputs");
    d.eq(la.origin, lb.origin, w + " origin");
    d.eq(la.attrs.size(), lb.attrs.size(), w + " attribute count");
    for (const auto& [name, aa] : la.attrs) {
      auto it = lb.attrs.find(name);
      d.eq(it != lb.attrs.end(), true, w + " attribute " + name + " exists");
      if (it == lb.attrs.end()) continue;
      const Attribute& ab = it->second;
      const std::string aw = w + " attribute " + name;
      d.eq(aa.kind, ab.kind, aw + " kind");
      d.eq(aa.i, ab.i, aw + " i");
      d.bits(&aa.f, &ab.f, sizeof(float), aw + " f");
      d.eq(aa.s, ab.s, aw + " s");
      d.eq(aa.ints, ab.ints, aw + " ints");
      d.eq(aa.floats.size(), ab.floats.size(), aw + " floats size");
      if (aa.floats.size() == ab.floats.size()) {
        d.bits(aa.floats.data(), ab.floats.data(), aa.floats.size() * sizeof(float), aw + " floats");
      }
      d.eq(aa.strings, ab.strings, aw + " strings");
      d.tensor(aa.t.get(), ab.t.get(), aw + " t");
    }
  }
}

void compareReports(Diff& d, const BuildReport& a, const BuildReport& b) {
  d.eq(a.model, b.model, "report model");
  d.eq(a.target, b.target, "report target");
  d.eq(a.device, b.device, "report device");
  d.eq(a.onnxNodes, b.onnxNodes, "report onnx nodes");
  d.eq(a.buildSeconds, b.buildSeconds, "report build seconds");
  d.eq(a.timingCacheHits, b.timingCacheHits, "report cache hits");
  d.eq(a.timingCacheMisses, b.timingCacheMisses, "report cache misses");
  d.eq(a.warnings, b.warnings, "report warnings");
  d.eq(a.passes.size(), b.passes.size(), "pass count");
  for (size_t i = 0; i < std::min(a.passes.size(), b.passes.size()); ++i) {
    const PassRecord& pa = a.passes[i];
    const PassRecord& pb = b.passes[i];
    d.eq(pa.name, pb.name, "pass name");
    d.eq(pa.ms, pb.ms, "pass ms");
    d.eq(pa.changes.size(), pb.changes.size(), "pass changes");
    for (size_t j = 0; j < std::min(pa.changes.size(), pb.changes.size()); ++j) {
      d.eq(pa.changes[j].description, pb.changes[j].description, "change description");
      d.eq(pa.changes[j].removed, pb.changes[j].removed, "change removed");
      d.eq(pa.changes[j].result, pb.changes[j].result, "change result");
    }
  }
  d.eq(a.layers.size(), b.layers.size(), "report layer count");
  for (size_t i = 0; i < std::min(a.layers.size(), b.layers.size()); ++i) {
    const LayerReport& la = a.layers[i];
    const LayerReport& lb = b.layers[i];
    d.eq(la.name, lb.name, "report layer name");
    d.eq(la.type, lb.type, "report layer type");
    d.eq(la.origin, lb.origin, "report layer origin");
    d.eq(la.precision, lb.precision, "report layer precision");
    d.eq(la.inputShapes, lb.inputShapes, "report layer input shapes");
    d.eq(la.outputShapes, lb.outputShapes, "report layer output shapes");
    d.eq(la.tactic, lb.tactic, "report layer tactic");
    d.eq(la.ms, lb.ms, "report layer ms");
    d.eq(la.workspaceBytes, lb.workspaceBytes, "report layer workspace");
    d.eq(la.candidates.size(), lb.candidates.size(), "candidate count");
    for (size_t j = 0; j < std::min(la.candidates.size(), lb.candidates.size()); ++j) {
      d.eq(la.candidates[j].tactic, lb.candidates[j].tactic, "candidate tactic");
      d.eq(la.candidates[j].ms, lb.candidates[j].ms, "candidate ms");
      d.eq(la.candidates[j].skipped, lb.candidates[j].skipped, "candidate skipped");
      d.eq(la.candidates[j].fromCache, lb.candidates[j].fromCache, "candidate from cache");
    }
  }
  d.eq(a.memory.weightBytes, b.memory.weightBytes, "memory weights");
  d.eq(a.memory.activationPeakBytes, b.memory.activationPeakBytes, "memory peak");
  d.eq(a.memory.activationNaiveBytes, b.memory.activationNaiveBytes, "memory naive");
  d.eq(a.memory.workspaceBytes, b.memory.workspaceBytes, "memory workspace");
  d.eq(a.memory.buffers.size(), b.memory.buffers.size(), "buffer count");
  for (size_t i = 0; i < std::min(a.memory.buffers.size(), b.memory.buffers.size()); ++i) {
    const BufferAssignment& ba = a.memory.buffers[i];
    const BufferAssignment& bb = b.memory.buffers[i];
    d.eq(ba.tensor, bb.tensor, "buffer tensor");
    d.eq(ba.offset, bb.offset, "buffer offset");
    d.eq(ba.bytes, bb.bytes, "buffer bytes");
    d.eq(ba.firstLayer, bb.firstLayer, "buffer first layer");
    d.eq(ba.lastLayer, bb.lastLayer, "buffer last layer");
  }
}

std::string comparePlans(const PlanContents& a, const PlanContents& b) {
  Diff d;
  d.eq(a.kilnVersion, b.kilnVersion, "kiln version");
  d.eq(a.target.target, b.target.target, "target");
  d.eq(a.target.device, b.target.device, "device");
  d.eq(a.target.computeMajor, b.target.computeMajor, "compute major");
  d.eq(a.target.computeMinor, b.target.computeMinor, "compute minor");
  d.eq(a.target.libraries, b.target.libraries, "libraries");
  d.eq(a.tactics, b.tactics, "tactics");
  d.eq(a.tacticState, b.tacticState, "tactic state");
  d.eq(a.profiles.size(), b.profiles.size(), "profile count");
  for (size_t i = 0; i < std::min(a.profiles.size(), b.profiles.size()); ++i) {
    d.eq(a.profiles[i].inputs.size(), b.profiles[i].inputs.size(), "profile inputs");
    for (const auto& [name, ra] : a.profiles[i].inputs) {
      auto it = b.profiles[i].inputs.find(name);
      d.eq(it != b.profiles[i].inputs.end(), true, "profile input " + name);
      if (it == b.profiles[i].inputs.end()) continue;
      d.eq(ra.min, it->second.min, "profile min");
      d.eq(ra.opt, it->second.opt, "profile opt");
      d.eq(ra.max, it->second.max, "profile max");
    }
    d.eq(a.profiles[i].shapeValues, b.profiles[i].shapeValues, "profile shape values");
  }
  compareNetworks(d, a.network, b.network);
  compareReports(d, a.report, b.report);
  return d.first();
}

uint32_t headerLength(const std::string& plan) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | uint8_t(plan[12 + i]);
  return v;
}

// The error deserializePlan throws for `bytes`, or a failure if it throws none.
Error refusal(const std::string& bytes, const PlanTarget* expected = nullptr) {
  try {
    deserializePlan(bytes, "p.plan", expected);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kInternal, "the plan loaded");
}

std::string machineName() {
  utsname u{};
  uname(&u);
  return u.machine;
}

}  // namespace

class TestPlan : public QObject {
  Q_OBJECT
 private slots:
  void checksumMatchesPublishedVectors() {
    auto h = [](const std::string& s) { return plan::xxhash64(s.data(), s.size()); };
    QCOMPARE(h(""), uint64_t(0xEF46DB3751D8E999ull));
    QCOMPARE(h("a"), uint64_t(0xD24EC4F1A98C6E5Bull));
    QCOMPARE(h("abc"), uint64_t(0x44BC2CF5AD770999ull));
    QCOMPARE(h("Nobody inspects the spammish repetition"), uint64_t(0xFBCEA83C8A378BF1ull));
  }
  void roundTripKeepsEveryField() {
    PlanContents plan = makePlan();
    std::string bytes = serializePlan(plan);
    QCOMPARE(QByteArray(bytes.data(), 8), QByteArray("KILNPLAN"));
    PlanContents back = deserializePlan(bytes, "p.plan");
    std::string diff = comparePlans(plan, back);
    QVERIFY2(diff.empty(), diff.c_str());
    // A symbolic dim and an unknown rank are not lost as plain unknowns.
    QCOMPARE(QString::fromStdString(back.network.tensor("x").dims.str()), QString("batchx3x4"));
    QVERIFY(!back.network.tensor("zz").dims.rankKnown);
  }
  void weightsAreAlignedInTheFile() {
    PlanContents plan = makePlan();
    std::string bytes = serializePlan(plan);
    for (const char* name : {"w", "h", "idx", "q"}) {
      const HostTensor& t = *plan.network.tensor(name).data;
      const std::string data(static_cast<const char*>(t.raw()), t.bytes());
      size_t at = bytes.find(data);
      QVERIFY2(at != std::string::npos, name);
      QVERIFY2(bytes.find(data, at + 1) == std::string::npos, name);  // the pattern is unique
      QCOMPARE(int64_t(at) % kPlanAlignment, int64_t(0));
    }
  }
  void bytesAreDeterministic() {
    std::string first = serializePlan(makePlan());
    QCOMPARE(serializePlan(makePlan()), first);
    // A loaded plan writes the same bytes again.
    QCOMPARE(serializePlan(deserializePlan(first, "p.plan")), first);
  }
  void reportJsonHasTheDocumentedKeys() {
    QJsonObject j = QJsonDocument::fromJson(QByteArray::fromStdString(reportToJson(makeReport()))).object();
    for (const char* key : {"layers", "memory", "passes", "model", "target", "device", "onnx_nodes", "build_seconds",
                            "timing_cache_hits", "timing_cache_misses", "warnings"}) {
      QVERIFY2(j.contains(key), key);
    }
    QJsonObject layer = j["layers"].toArray()[0].toObject();
    QCOMPARE(layer["name"].toString(), QString("mm"));
    QCOMPARE(layer["type"].toString(), QString("MatMul"));
    QCOMPARE(layer["origin"].toArray()[0].toString(), QString("mm"));
    QCOMPARE(layer["precision"].toString(), QString("fp32"));
    QCOMPARE(layer["tactic"].toString(), QString("cpu.matmul.blocked"));
    QCOMPARE(layer["ms"].toDouble(), 0.0421);
    QCOMPARE(layer["input_shapes"].toArray()[1].toString(), QString("4x16"));
    QCOMPARE(layer["output_shapes"].toArray()[0].toString(), QString("8x3x16"));
    QCOMPARE(layer["workspace_bytes"].toInteger(), qint64(4096));
    QJsonObject skipped = layer["candidates"].toArray()[2].toObject();
    QCOMPARE(skipped["tactic"].toString(), QString("cpu.matmul.packed"));
    QCOMPARE(skipped["ms"].toDouble(), -1.0);
    QCOMPARE(skipped["skipped"].toString(), QString("needs 2 GiB of workspace"));
    QJsonObject memory = j["memory"].toObject();
    QCOMPARE(memory["weight_bytes"].toInteger(), qint64(1234));
    QCOMPARE(memory["activation_peak_bytes"].toInteger(), qint64(1536));
    QCOMPARE(memory["activation_naive_bytes"].toInteger(), qint64(3072));
    QCOMPARE(memory["workspace_bytes"].toInteger(), qint64(4096));
    QCOMPARE(memory["buffers"].toArray()[1].toObject()["tensor"].toString(), QString("z"));
    QJsonObject change = j["passes"].toArray()[1].toObject()["changes"].toArray()[0].toObject();
    QCOMPARE(change["removed"].toArray().size(), 3);
    QCOMPARE(change["result"].toString(), QString("gelu"));
    QCOMPARE(j["passes"].toArray()[1].toObject()["name"].toString(), QString("fuse-gelu"));
  }
  void reportJsonRoundTrips() {
    BuildReport report = makeReport();
    for (int indent : {-1, 0, 2}) {
      Diff d;
      compareReports(d, report, reportFromJson(reportToJson(report, indent)));
      QVERIFY2(d.first().empty(), d.first().c_str());
    }
  }
  void malformedReportJsonIsRefused() {
    for (const char* text : {"", "{", "[1, 2]", "{\"layers\": 3}", "{\"onnx_nodes\": \"five\"}",
                             "{\"layers\": [{\"candidates\": [7]}]}", "{\"memory\": []}"}) {
      try {
        reportFromJson(text);
        QFAIL(text);
      } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::kInvalidArgument);
        QVERIFY2(!QString(e.what()).contains('\n'), e.what());
      }
    }
  }
  void truncatedPlansAreRefused() {
    const std::string bytes = serializePlan(makePlan());
    const size_t headerEnd = 16 + headerLength(bytes);
    const std::string total = std::to_string(bytes.size());
    const std::vector<std::pair<size_t, std::string>> cases = {
        {0, "p.plan: truncated plan: 0 bytes, expected at least 16"},
        {4, "p.plan: truncated plan: 4 bytes, expected at least 16"},
        {8, "p.plan: truncated plan: 8 bytes, expected at least 16"},
        {12, "p.plan: truncated plan: 12 bytes, expected at least 16"},
        {16, "p.plan: truncated plan: 16 bytes, expected at least " + std::to_string(headerEnd)},
        {headerEnd - 1, "p.plan: truncated plan: " + std::to_string(headerEnd - 1) + " bytes, expected at least " +
                            std::to_string(headerEnd)},
        {headerEnd, "p.plan: truncated plan: " + std::to_string(headerEnd) + " bytes, expected " + total},
        {headerEnd + 8, "p.plan: truncated plan: " + std::to_string(headerEnd + 8) + " bytes, expected " + total},
        {bytes.size() / 2, "p.plan: truncated plan: " + std::to_string(bytes.size() / 2) + " bytes, expected " + total},
        {bytes.size() - 1, "p.plan: truncated plan: " + std::to_string(bytes.size() - 1) + " bytes, expected " + total},
    };
    for (const auto& [length, message] : cases) {
      Error e = refusal(bytes.substr(0, length));
      QCOMPARE(e.code(), ErrorCode::kInvalidPlan);
      QCOMPARE(QString(e.what()), QString::fromStdString(message));
    }
  }
  void strayBytesAreRefused() {
    Error e = refusal(serializePlan(makePlan()) + "xyz");
    QCOMPARE(e.code(), ErrorCode::kInvalidPlan);
    QCOMPARE(QString(e.what()), QString("p.plan: corrupt plan: 3 stray bytes after the payload"));
  }
  void flippedBytesAreRefused() {
    const std::string bytes = serializePlan(makePlan());
    const size_t headerEnd = 16 + headerLength(bytes);
    std::mt19937 rng(20240611);
    std::vector<size_t> offsets;
    for (size_t i = 0; i < headerEnd; ++i) offsets.push_back(i);  // every byte before the payload
    std::uniform_int_distribution<size_t> anywhere(0, bytes.size() - 1);
    for (int i = 0; i < 200; ++i) offsets.push_back(anywhere(rng));
    std::uniform_int_distribution<int> mask(1, 255);
    for (size_t at : offsets) {
      std::string damaged = bytes;
      damaged[at] = char(uint8_t(damaged[at]) ^ uint8_t(mask(rng)));
      Error e = refusal(damaged);
      const QString what(e.what());
      const QByteArray where = QByteArray::number(qulonglong(at)) + ": " + e.what();
      QVERIFY2(e.code() == ErrorCode::kInvalidPlan, where.constData());
      QVERIFY2(!what.contains('\n'), where.constData());
      if (at < 8) {
        QVERIFY2(what == "p.plan: not a Kiln plan (bad magic)", where.constData());
      } else if (at < 12) {
        QVERIFY2(what.startsWith("p.plan: plan format version "), where.constData());
      } else if (at >= 16 && at < headerEnd) {
        QVERIFY2(what == "p.plan: corrupt plan: header checksum mismatch", where.constData());
      } else if (at >= headerEnd) {
        QVERIFY2(what == "p.plan: corrupt plan: payload checksum mismatch", where.constData());
      }
    }
  }
  // Damage behind valid checksums reaches the parser and the reference
  // checks; the plan then loads or is refused, but nothing else happens.
  void resealedDamageIsRefusedOrLoads() {
    const std::string bytes = serializePlan(makePlan());
    const size_t headerEnd = 16 + headerLength(bytes);
    uint64_t descBytes = 0;
    for (int i = 7; i >= 0; --i) descBytes = (descBytes << 8) | uint8_t(bytes[headerEnd + i]);
    std::mt19937 rng(7);
    std::uniform_int_distribution<size_t> inDesc(headerEnd, headerEnd + 8 + descBytes - 1);
    std::uniform_int_distribution<int> mask(1, 255), count(1, 3);
    int refused = 0;
    for (int trial = 0; trial < 300; ++trial) {
      std::string damaged = bytes;
      for (int k = count(rng); k > 0; --k) {
        const size_t at = inDesc(rng);
        damaged[at] = char(uint8_t(damaged[at]) ^ uint8_t(mask(rng)));
      }
      // payload_checksum (field 9) and header_checksum (field 15) close the
      // header, each a tag byte and 8 little-endian bytes.
      uint64_t sum = plan::xxhash64(damaged.data() + headerEnd, damaged.size() - headerEnd);
      for (int i = 0; i < 8; ++i) damaged[headerEnd - 17 + i] = char(sum >> (8 * i));
      std::string header = damaged.substr(16, headerEnd - 16);
      std::memset(header.data() + header.size() - 8, 0, 8);
      sum = plan::xxhash64(header.data(), header.size());
      for (int i = 0; i < 8; ++i) damaged[headerEnd - 8 + i] = char(sum >> (8 * i));
      try {
        deserializePlan(damaged, "p.plan");
      } catch (const Error& e) {
        QVERIFY2(e.code() == ErrorCode::kInvalidPlan, e.what());
        QVERIFY2(QString(e.what()).startsWith("p.plan: corrupt plan: "), e.what());
        QVERIFY2(!QString(e.what()).contains("checksum"), e.what());
        ++refused;
      }
    }
    QVERIFY(refused > 100);
  }
  void futureFormatIsRefused() {
    std::string bytes = serializePlan(makePlan());
    bytes[8] = 7;
    Error e = refusal(bytes);
    QCOMPARE(e.code(), ErrorCode::kInvalidPlan);
    QCOMPARE(QString(e.what()), QString("p.plan: plan format version 7; this Kiln reads version 1"));
  }
  void foreignTargetIsRefused() {
    PlanContents plan = makePlan();
    plan.target.target = Target::kCuda;
    plan.target.device = "NVIDIA H100";
    plan.target.computeMajor = 9;
    plan.target.computeMinor = 0;
    const std::string bytes = serializePlan(plan);
    const PlanTarget here = currentTarget(Target::kCpu);
    Error e = refusal(bytes, &here);
    QCOMPARE(e.code(), ErrorCode::kInvalidPlan);
    QCOMPARE(QString(e.what()), QString::fromStdString("p.plan: plan was built for cuda 'NVIDIA H100' (sm_90); "
                                                       "this machine is cpu '" + machineName() + "'"));
    // The same GPU with another capability is foreign too; the right one loads.
    PlanTarget other = plan.target;
    other.computeMinor = 9;
    QCOMPARE(refusal(bytes, &other).code(), ErrorCode::kInvalidPlan);
    PlanContents back = deserializePlan(bytes, "p.plan", &plan.target);
    QCOMPARE(back.target.device, std::string("NVIDIA H100"));
  }
  void currentTargetDescribesThisMachine() {
    PlanTarget t = currentTarget(Target::kCpu);
    QVERIFY(t.target == Target::kCpu);
    QCOMPARE(t.device, machineName());
    QCOMPARE(t.libraries.size(), size_t(1));
    QCOMPARE(t.libraries.at("kiln"), std::string(KILN_TEST_VERSION));
    QVERIFY_THROWS_EXCEPTION(Error, currentTarget(Target::kCuda));
  }
  void inconsistentContentsAreABug() {
    PlanContents plan = makePlan();
    plan.tactics.pop_back();
    try {
      serializePlan(plan);
      QFAIL("serialized a plan with a missing tactic");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::kInternal);
      QCOMPARE(QString(e.what()), QString("plan: 1 tactics and 2 tactic states for 2 layers"));
    }
    plan = makePlan();
    plan.profiles.clear();
    QVERIFY_THROWS_EXCEPTION(Error, serializePlan(plan));
  }
};

QTEST_APPLESS_MAIN(TestPlan)
#include "test_plan.moc"
