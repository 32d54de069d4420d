#include "build_panel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include "precision_override_table.h"
#include "shape_profile_table.h"

namespace kiln::ui {

namespace {
constexpr int64_t kMiB = int64_t(1) << 20;
constexpr int64_t kGiB = int64_t(1) << 30;
const char* const kKnownPhases[] = {"passes", "tactics", "memory", "serialize"};
}  // namespace

BuildPanel::BuildPanel(QWidget* parent) : QWidget(parent) {
  auto* content = new QWidget;
  auto* form = new QVBoxLayout(content);
  form->addWidget(createTargetGroup());
  form->addWidget(createPrecisionGroup());
  form->addWidget(createProfileGroup());
  form->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);

  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll, 1);
  outer->addWidget(createButtons());

  connect(&worker_, &BuildWorker::phaseStarted, this, &BuildPanel::onPhaseStarted);
  connect(&worker_, &BuildWorker::stepCompleted, this, &BuildPanel::onStepCompleted);
  connect(&worker_, &BuildWorker::finished, this, [this](const QByteArray& plan, const BuildReport& report) {
    setBusy(false, tr("Built %1 layers in %2 s · plan %3 KiB")
                       .arg(report.layers.size())
                       .arg(report.buildSeconds, 0, 'f', 2)
                       .arg(plan.size() / 1024));
    emit buildFinished(plan, report);
  });
  connect(&worker_, &BuildWorker::failed, this, [this](const QString& message) {
    setBusy(false, tr("Build failed: %1").arg(message));
    emit buildFailed(message);
  });
  connect(&worker_, &BuildWorker::cancelled, this, [this] {
    setBusy(false, tr("Build cancelled"));
    emit buildCancelled();
  });

  QSettings settings;
  setSettings(BuildSettings::load(settings));
  setBusy(false, tr("Open a model to build it"));
}

QWidget* BuildPanel::createTargetGroup() {
  auto* box = new QGroupBox(tr("Target"));
  auto* form = new QFormLayout(box);
  target_ = new QComboBox;
  target_->addItem(tr("CPU"), int(Target::kCpu));
  target_->addItem(tr("CUDA"), int(Target::kCuda));
  if (const QString why = targetUnavailableReason(Target::kCuda); !why.isEmpty()) {
    auto* item = static_cast<QStandardItemModel*>(target_->model())->item(1);
    item->setEnabled(false);
    item->setToolTip(why);
    target_->setToolTip(tr("CUDA: %1").arg(why));
  }
  form->addRow(tr("Device:"), target_);

  level_ = new QSpinBox;
  level_->setRange(0, 5);
  level_->setToolTip(tr("0 takes the first supported tactic without timing; 1–5 time more candidates with more repeats"));
  form->addRow(tr("Optimization level:"), level_);

  auto* workspaceRow = new QHBoxLayout;
  workspace_ = new QSpinBox;
  workspace_->setRange(0, 1 << 20);
  workspaceUnit_ = new QComboBox;
  workspaceUnit_->addItem(tr("MiB"), qint64(kMiB));
  workspaceUnit_->addItem(tr("GiB"), qint64(kGiB));
  workspaceRow->addWidget(workspace_, 1);
  workspaceRow->addWidget(workspaceUnit_);
  form->addRow(tr("Workspace limit:"), workspaceRow);

  auto* cacheRow = new QHBoxLayout;
  timingCache_ = new QLineEdit;
  timingCache_->setPlaceholderText(tr("none"));
  timingCache_->setClearButtonEnabled(true);
  timingCache_->setToolTip(tr("Read before and written after each build; repeated builds skip timing"));
  auto* browse = new QToolButton;
  browse->setText(tr("…"));
  connect(browse, &QToolButton::clicked, this, [this] {
    auto* dialog = new QFileDialog(this, tr("Timing cache"), timingCache_->text(), tr("Timing caches (*.cache);;All files (*)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setOption(QFileDialog::DontConfirmOverwrite);  // the cache is read first, then updated
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, timingCache_, &QLineEdit::setText);
    dialog->open();
  });
  cacheRow->addWidget(timingCache_, 1);
  cacheRow->addWidget(browse);
  form->addRow(tr("Timing cache:"), cacheRow);
  return box;
}

QWidget* BuildPanel::createPrecisionGroup() {
  auto* box = new QGroupBox(tr("Precision"));
  auto* layout = new QVBoxLayout(box);
  auto* checks = new QHBoxLayout;
  checks->addWidget(new QLabel(tr("FP32 +")));
  for (Precision p : {Precision::kTF32, Precision::kFP16, Precision::kBF16, Precision::kINT8, Precision::kFP8}) {
    auto* check = new QCheckBox(QString(toString(p)).toUpper());
    precisions_[p] = check;
    checks->addWidget(check);
  }
  checks->addStretch(1);
  layout->addLayout(checks);
  auto* constraintsRow = new QFormLayout;
  constraints_ = new QComboBox;
  constraints_->addItem(tr("None — fastest allowed precision"), int(PrecisionConstraints::kNone));
  constraints_->addItem(tr("Prefer requested precisions"), int(PrecisionConstraints::kPrefer));
  constraints_->addItem(tr("Obey requested precisions"), int(PrecisionConstraints::kObey));
  constraintsRow->addRow(tr("Layer requests:"), constraints_);
  layout->addLayout(constraintsRow);
  overrides_ = new PrecisionOverrideTable;
  overrides_->setMinimumHeight(90);
  layout->addWidget(overrides_);
  return box;
}

QWidget* BuildPanel::createProfileGroup() {
  auto* box = new QGroupBox(tr("Input shapes"));
  auto* layout = new QVBoxLayout(box);
  shapes_ = new ShapeProfileTable;
  shapes_->setMinimumHeight(110);
  layout->addWidget(shapes_);
  return box;
}

QWidget* BuildPanel::createButtons() {
  auto* w = new QWidget;
  auto* layout = new QVBoxLayout(w);
  phaseLayout_ = new QVBoxLayout;
  for (const char* phase : kKnownPhases) phaseBar(phase);
  layout->addLayout(phaseLayout_);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);
  auto* buttons = new QHBoxLayout;
  buttons->addStretch(1);
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setObjectName("cancelBuild");
  buildButton_ = new QPushButton(tr("Build"));
  buildButton_->setObjectName("build");
  buildButton_->setDefault(true);
  buildButton_->setToolTip(tr("Build a plan of the current model (Ctrl+B)"));
  auto* buildAction = new QAction(this);
  buildAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
  buildAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  addAction(buildAction);
  connect(buildAction, &QAction::triggered, this, &BuildPanel::build);
  // Esc only while the panel has focus: elsewhere in the window it means other things.
  auto* cancelAction = new QAction(this);
  cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
  cancelAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  addAction(cancelAction);
  connect(cancelAction, &QAction::triggered, this, &BuildPanel::cancel);
  connect(buildButton_, &QPushButton::clicked, this, &BuildPanel::build);
  connect(cancelButton_, &QPushButton::clicked, this, &BuildPanel::cancel);
  buttons->addWidget(cancelButton_);
  buttons->addWidget(buildButton_);
  layout->addLayout(buttons);
  return w;
}

QProgressBar* BuildPanel::phaseBar(const QString& phase) {
  if (QProgressBar* bar = phases_.value(phase)) return bar;
  auto* row = new QHBoxLayout;
  auto* label = new QLabel(phase.left(1).toUpper() + phase.mid(1));
  label->setMinimumWidth(70);
  auto* bar = new QProgressBar;
  bar->setRange(0, 1);
  bar->setValue(0);
  bar->setFormat("%v / %m");
  row->addWidget(label);
  row->addWidget(bar, 1);
  phaseLayout_->addLayout(row);
  phases_[phase] = bar;
  return bar;
}

void BuildPanel::setNetwork(std::shared_ptr<const Network> network) {
  const BuildSettings current = settings();
  network_ = std::move(network);
  if (network_) shapes_->setInputs(*network_);
  else shapes_->setRowCount(0);
  if (!current.config.profiles.empty()) shapes_->applyProfile(current.config.profiles.front());
  if (!worker_.busy()) setBusy(false, network_ ? tr("Ready to build") : tr("Open a model to build it"));
}

BuildSettings BuildPanel::settings() const {
  BuilderConfig c;
  c.target = Target(target_->currentData().toInt());
  c.tf32 = precisions_[Precision::kTF32]->isChecked();
  c.fp16 = precisions_[Precision::kFP16]->isChecked();
  c.bf16 = precisions_[Precision::kBF16]->isChecked();
  c.int8 = precisions_[Precision::kINT8]->isChecked();
  c.fp8 = precisions_[Precision::kFP8]->isChecked();
  c.constraints = PrecisionConstraints(constraints_->currentData().toInt());
  c.layerPrecisions = overrides_->overrides();
  c.workspaceBytes = int64_t(workspace_->value()) * workspaceUnit_->currentData().toLongLong();
  c.optimizationLevel = level_->value();
  c.timingCachePath = timingCache_->text().trimmed().toStdString();
  if (shapes_->rowCount() > 0) {
    if (auto p = shapes_->profile()) c.profiles.push_back(*p);
  }
  return BuildSettings::fromConfig(c);
}

void BuildPanel::setSettings(const BuildSettings& s) {
  const BuilderConfig& c = s.config;
  const bool cudaUsable = targetUnavailableReason(Target::kCuda).isEmpty();
  target_->setCurrentIndex(c.target == Target::kCuda && cudaUsable ? 1 : 0);
  precisions_[Precision::kTF32]->setChecked(c.tf32);
  precisions_[Precision::kFP16]->setChecked(c.fp16);
  precisions_[Precision::kBF16]->setChecked(c.bf16);
  precisions_[Precision::kINT8]->setChecked(c.int8);
  precisions_[Precision::kFP8]->setChecked(c.fp8);
  constraints_->setCurrentIndex(constraints_->findData(int(c.constraints)));
  overrides_->setOverrides(c.layerPrecisions);
  const bool gib = c.workspaceBytes >= kGiB && c.workspaceBytes % kGiB == 0;
  workspaceUnit_->setCurrentIndex(gib ? 1 : 0);
  workspace_->setValue(int((c.workspaceBytes + (gib ? 0 : kMiB - 1)) / (gib ? kGiB : kMiB)));
  level_->setValue(c.optimizationLevel);
  timingCache_->setText(QString::fromStdString(c.timingCachePath));
  if (!c.profiles.empty()) shapes_->applyProfile(c.profiles.front());
}

void BuildPanel::addPrecisionOverride(const QString& layer, Precision precision) {
  overrides_->setOverride(layer, precision);
  if (constraints_->currentData().toInt() == int(PrecisionConstraints::kNone)) {
    constraints_->setCurrentIndex(constraints_->findData(int(PrecisionConstraints::kPrefer)));
  }
}

void BuildPanel::build() {
  if (worker_.busy()) return;
  QString error;
  if (!network_) error = tr("Open a model first.");
  else if (shapes_->rowCount() > 0 && !shapes_->profile(&error)) error = tr("Cannot build: %1").arg(error);
  if (!error.isEmpty()) {
    status_->setText(error);
    emit buildFailed(error);
    return;
  }
  const BuildSettings s = settings();
  QSettings stored;
  s.save(stored);
  for (QProgressBar* bar : phases_) {
    bar->setRange(0, 1);
    bar->setValue(0);
  }
  if (worker_.start(network_, s.toConfig())) setBusy(true, tr("Building…"));
}

void BuildPanel::cancel() {
  if (!worker_.busy()) return;
  worker_.cancel();
  status_->setText(tr("Cancelling…"));
}

void BuildPanel::onPhaseStarted(const QString& phase, int steps) {
  QProgressBar* bar = phaseBar(phase);
  bar->setRange(0, std::max(steps, 1));
  bar->setValue(0);
  status_->setText(tr("Building: %1…").arg(phase));
}

void BuildPanel::onStepCompleted(const QString& phase, int step) { phaseBar(phase)->setValue(step); }

void BuildPanel::setBusy(bool busy, const QString& status) {
  buildButton_->setEnabled(!busy && network_);
  cancelButton_->setEnabled(busy);
  status_->setText(status);
}

}  // namespace kiln::ui
