// The build panel's choices as a value: converts to and from a BuilderConfig
// and persists in QSettings so a session starts where the last one ended.
#pragma once

#include <QSettings>
#include <QString>
#include <optional>
#include <vector>

#include "kiln/builder.h"

namespace kiln::ui {

/// Everything the user chose for a build, without the logger, monitor and
/// cancel flag (those belong to one build, not to a setting).
struct BuildSettings {
  BuilderConfig config;  ///< policy fields only; logger, progress and cancel stay null

  /// The settings of `config` (its pointers are dropped).
  static BuildSettings fromConfig(const BuilderConfig& config);
  /// A config for the builder; the caller sets logger, progress and cancel.
  BuilderConfig toConfig() const { return config; }

  /// Writes every field under `group` ("build" by default).
  void save(QSettings& settings, const QString& group = QStringLiteral("build")) const;
  /// Reads what save() wrote; fields that are absent or unreadable keep their defaults.
  static BuildSettings load(QSettings& settings, const QString& group = QStringLiteral("build"));
};

/// True when every policy field of the two configs is equal.
bool sameSettings(const BuilderConfig& a, const BuilderConfig& b);

/// "1x3x224x224" for a shape; "scalar" for rank 0.
QString shapeText(const std::vector<int64_t>& shape);
/// Parses "1x3x224x224" (also "1,3,224,224" and "scalar"); nullopt when any
/// size is not a non-negative integer.
std::optional<std::vector<int64_t>> parseShapeText(const QString& text);

/// Why this build cannot make plans for `target`, or an empty string when it can.
QString targetUnavailableReason(Target target);

}  // namespace kiln::ui
