#include "precision_chart.h"

#include <QVBoxLayout>
#include <qcustomplot.h>

#include "chart_style.h"

namespace kiln::ui {

namespace {
// The builder's precision names, widest first; unknown names follow alphabetically.
const QStringList kOrder = {"fp32", "tf32", "fp16", "bf16", "fp8", "int8"};
}

PrecisionChart::PrecisionChart(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  styleChart(plot_);
  plot_->yAxis->setLabel(tr("layers"));
  plot_->yAxis->grid()->setVisible(true);
  plot_->xAxis->grid()->setVisible(false);
}

void PrecisionChart::setReport(const BuildReport& report) {
  counts_.clear();
  for (const LayerReport& l : report.layers) ++counts_[QString::fromStdString(l.precision)];
  QStringList names = kOrder;  // zeros show which precisions no layer got
  for (auto it = counts_.cbegin(); it != counts_.cend(); ++it) {
    if (!names.contains(it.key())) names << it.key();
  }
  plot_->clearPlottables();
  plot_->clearItems();
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  int most = 0;
  for (int i = 0; i < names.size(); ++i) {
    auto* bar = new QCPBars(plot_->xAxis, plot_->yAxis);
    bar->setBrush(seriesColour(i));
    bar->setPen(Qt::NoPen);
    bar->setWidth(0.6);
    bar->addData(i, counts_.value(names[i]));
    ticker->addTick(i, names[i].toUpper());
    auto* label = new QCPItemText(plot_);
    label->position->setCoords(i, counts_.value(names[i]));
    label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    const int n = counts_.value(names[i]);
    label->setText(QString("%1 (%2%)").arg(n).arg(report.layers.empty() ? 0.0 : 100.0 * n / report.layers.size(), 0, 'f', 0));
    label->setColor(plot_->xAxis->tickLabelColor());
    most = std::max(most, counts_.value(names[i]));
  }
  plot_->xAxis->setTicker(ticker);
  plot_->xAxis->setRange(-0.7, names.size() - 0.3);
  auto counts = QSharedPointer<QCPAxisTickerFixed>::create();
  counts->setTickStep(1);
  counts->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  plot_->yAxis->setTicker(counts);
  plot_->yAxis->setRange(0, most > 0 ? most * 1.15 : 1);
  plot_->replot();
}

}  // namespace kiln::ui
