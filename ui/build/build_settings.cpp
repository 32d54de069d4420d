#include "build_settings.h"

#include <QRegularExpression>
#include <QStringList>

#include "kiln/errors.h"
#include "kiln/plan.h"

namespace kiln::ui {

namespace {

QString rangeText(const ShapeRange& r) {
  return shapeText(r.min) + ";" + shapeText(r.opt) + ";" + shapeText(r.max);
}

std::optional<ShapeRange> parseRange(const QString& text) {
  const QStringList parts = text.split(';');
  if (parts.size() != 3) return std::nullopt;
  auto mn = parseShapeText(parts[0]), opt = parseShapeText(parts[1]), mx = parseShapeText(parts[2]);
  if (!mn || !opt || !mx) return std::nullopt;
  return ShapeRange{*mn, *opt, *mx};
}

bool sameProfiles(const std::vector<OptimizationProfile>& a, const std::vector<OptimizationProfile>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].inputs.size() != b[i].inputs.size()) return false;
    for (const auto& [name, r] : a[i].inputs) {
      auto it = b[i].inputs.find(name);
      if (it == b[i].inputs.end() || it->second.min != r.min || it->second.opt != r.opt || it->second.max != r.max) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

BuildSettings BuildSettings::fromConfig(const BuilderConfig& config) {
  BuildSettings s;
  s.config = config;
  s.config.logger = nullptr;
  s.config.progress = nullptr;
  s.config.cancel = nullptr;
  return s;
}

void BuildSettings::save(QSettings& st, const QString& group) const {
  st.beginGroup(group);
  st.remove(QString());  // stale profile and override keys must not survive
  st.setValue("target", toString(config.target));
  st.setValue("tf32", config.tf32);
  st.setValue("fp16", config.fp16);
  st.setValue("bf16", config.bf16);
  st.setValue("int8", config.int8);
  st.setValue("fp8", config.fp8);
  st.setValue("constraints", int(config.constraints));
  st.setValue("workspaceBytes", qint64(config.workspaceBytes));
  st.setValue("optimizationLevel", config.optimizationLevel);
  st.setValue("timingCachePath", QString::fromStdString(config.timingCachePath));
  st.beginWriteArray("profiles", int(config.profiles.size()));
  for (size_t p = 0; p < config.profiles.size(); ++p) {
    st.setArrayIndex(int(p));
    for (const auto& [name, range] : config.profiles[p].inputs) {
      st.setValue("input/" + QString::fromStdString(name).toUtf8().toPercentEncoding(), rangeText(range));
    }
  }
  st.endArray();
  st.beginGroup("layerPrecisions");
  for (const auto& [layer, precision] : config.layerPrecisions) {
    st.setValue(QString::fromStdString(layer).toUtf8().toPercentEncoding(), toString(precision));
  }
  st.endGroup();
  st.endGroup();
}

BuildSettings BuildSettings::load(QSettings& st, const QString& group) {
  BuildSettings s;
  BuilderConfig& c = s.config;
  st.beginGroup(group);
  c.target = st.value("target").toString() == "cuda" ? Target::kCuda : Target::kCpu;
  c.tf32 = st.value("tf32", c.tf32).toBool();
  c.fp16 = st.value("fp16", c.fp16).toBool();
  c.bf16 = st.value("bf16", c.bf16).toBool();
  c.int8 = st.value("int8", c.int8).toBool();
  c.fp8 = st.value("fp8", c.fp8).toBool();
  const int constraints = st.value("constraints", int(c.constraints)).toInt();
  if (constraints >= 0 && constraints <= 2) c.constraints = PrecisionConstraints(constraints);
  const qint64 workspace = st.value("workspaceBytes", qint64(c.workspaceBytes)).toLongLong();
  if (workspace >= 0) c.workspaceBytes = workspace;
  const int level = st.value("optimizationLevel", c.optimizationLevel).toInt();
  if (level >= 0 && level <= 5) c.optimizationLevel = level;
  c.timingCachePath = st.value("timingCachePath").toString().toStdString();
  const int profiles = st.beginReadArray("profiles");
  for (int p = 0; p < profiles; ++p) {
    st.setArrayIndex(p);
    OptimizationProfile profile;
    st.beginGroup("input");
    for (const QString& key : st.childKeys()) {
      if (auto range = parseRange(st.value(key).toString())) {
        profile.inputs[QString::fromUtf8(QByteArray::fromPercentEncoding(key.toUtf8())).toStdString()] = *range;
      }
    }
    st.endGroup();
    c.profiles.push_back(std::move(profile));
  }
  st.endArray();
  st.beginGroup("layerPrecisions");
  for (const QString& key : st.childKeys()) {
    if (auto p = precisionFromString(st.value(key).toString().toStdString())) {
      c.layerPrecisions[QString::fromUtf8(QByteArray::fromPercentEncoding(key.toUtf8())).toStdString()] = *p;
    }
  }
  st.endGroup();
  st.endGroup();
  return s;
}

bool sameSettings(const BuilderConfig& a, const BuilderConfig& b) {
  return a.target == b.target && a.tf32 == b.tf32 && a.fp16 == b.fp16 && a.bf16 == b.bf16 && a.int8 == b.int8 &&
         a.fp8 == b.fp8 && a.constraints == b.constraints && a.layerPrecisions == b.layerPrecisions &&
         a.workspaceBytes == b.workspaceBytes && a.optimizationLevel == b.optimizationLevel &&
         a.timingCachePath == b.timingCachePath && sameProfiles(a.profiles, b.profiles);
}

QString shapeText(const std::vector<int64_t>& shape) { return QString::fromStdString(shapeString(shape)); }

std::optional<std::vector<int64_t>> parseShapeText(const QString& text) {
  const QString t = text.trimmed();
  if (t == "scalar") return std::vector<int64_t>{};
  std::vector<int64_t> shape;
  for (const QString& part : t.split(QRegularExpression("[x×,*]"))) {
    bool ok = false;
    const qlonglong v = part.trimmed().toLongLong(&ok);
    if (!ok || v < 0) return std::nullopt;
    shape.push_back(v);
  }
  return shape;
}

QString targetUnavailableReason(Target target) {
  try {
    currentTarget(target);  // cheap: asks the backend for the device, builds nothing
    return {};
  } catch (const Error& e) {
    return QString::fromStdString(e.message());
  }
}

}  // namespace kiln::ui
