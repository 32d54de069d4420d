#include "memory_view.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <qcustomplot.h>

#include "chart_style.h"

namespace kiln::ui {

QString formatBytes(int64_t bytes) {
  const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  return u == 0 ? QString("%1 B").arg(bytes) : QString("%1 %2").arg(v, 0, 'f', v < 10 ? 2 : 1).arg(units[u]);
}

MemoryView::MemoryView(QWidget* parent)
    : QWidget(parent), summary_(new QLabel), totals_(new QCustomPlot), lifetimes_(new QCustomPlot) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(summary_);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(totals_);
  split->addWidget(lifetimes_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  styleChart(totals_);
  styleChart(lifetimes_);
  totals_->xAxis->setLabel(tr("MiB"));
  lifetimes_->xAxis->setLabel(tr("layer (execution order)"));
  lifetimes_->yAxis->setLabel(tr("arena offset (MiB)"));
  lifetimes_->yAxis->grid()->setVisible(true);
  lifetimes_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

void MemoryView::setReport(const BuildReport& report) {
  const MemoryReport& m = report.memory;
  const double saved = m.activationNaiveBytes > 0 ? 100.0 * (1.0 - double(m.activationPeakBytes) / double(m.activationNaiveBytes)) : 0;
  summary_->setText(tr("Weights <b>%1</b> · activations <b>%2</b> (%3 without sharing, %4% saved) · workspace <b>%5</b> · %6 buffers")
                        .arg(formatBytes(m.weightBytes), formatBytes(m.activationPeakBytes), formatBytes(m.activationNaiveBytes))
                        .arg(saved, 0, 'f', 1)
                        .arg(formatBytes(m.workspaceBytes))
                        .arg(m.buffers.size()));

  constexpr double kMiB = 1024.0 * 1024.0;
  totals_->clearPlottables();
  totals_->clearItems();
  const QList<QPair<QString, int64_t>> rows = {{tr("Weights"), m.weightBytes},
                                               {tr("Activation peak"), m.activationPeakBytes},
                                               {tr("Activations, no sharing"), m.activationNaiveBytes},
                                               {tr("Workspace"), m.workspaceBytes}};
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  double most = 0;
  for (int i = 0; i < rows.size(); ++i) {
    auto* bar = new QCPBars(totals_->yAxis, totals_->xAxis);
    bar->setBrush(i == 1 ? kAccent : kNeutral);
    bar->setPen(Qt::NoPen);
    bar->setWidth(0.6);
    bar->addData(i, rows[i].second / kMiB);
    ticker->addTick(i, rows[i].first + "  " + formatBytes(rows[i].second));
    most = std::max(most, rows[i].second / kMiB);
  }
  totals_->yAxis->setTicker(ticker);
  totals_->yAxis->setRangeReversed(true);
  totals_->yAxis->setRange(-0.6, rows.size() - 0.4);
  totals_->xAxis->setRange(0, most > 0 ? most * 1.1 : 1);
  totals_->replot();

  lifetimes_->clearItems();
  std::vector<const BufferAssignment*> shown;
  for (const BufferAssignment& b : m.buffers) shown.push_back(&b);
  if (shown.size() > size_t(kMaxBuffers)) {
    std::partial_sort(shown.begin(), shown.begin() + kMaxBuffers, shown.end(),
                      [](auto* a, auto* b) { return a->bytes > b->bytes; });
    shown.resize(kMaxBuffers);
  }
  int32_t lastLayer = 0;
  for (size_t i = 0; i < shown.size(); ++i) {
    const BufferAssignment& b = *shown[i];
    auto* rect = new QCPItemRect(lifetimes_);
    rect->topLeft->setCoords(b.firstLayer, (b.offset + b.bytes) / kMiB);
    rect->bottomRight->setCoords(b.lastLayer + 1, b.offset / kMiB);
    QColor fill = seriesColour(int(i));
    fill.setAlpha(170);
    rect->setBrush(fill);
    rect->setPen(QPen(fill.darker(130)));
    lastLayer = std::max(lastLayer, b.lastLayer + 1);
  }
  buffers_ = int(shown.size());
  lifetimes_->xAxis->setRange(0, std::max(lastLayer, 1));
  lifetimes_->yAxis->setRange(0, m.activationPeakBytes > 0 ? m.activationPeakBytes / kMiB * 1.05 : 1);
  lifetimes_->replot();
}

}  // namespace kiln::ui
