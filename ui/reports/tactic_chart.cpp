#include "tactic_chart.h"

#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "chart_style.h"

namespace kiln::ui {

TacticChart::TacticChart(QWidget* parent)
    : QWidget(parent), title_(new QLabel), plot_(new QCustomPlot), untimedTitle_(new QLabel(tr("Not timed:"))),
      untimed_(new QListWidget) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  title_->setWordWrap(true);
  layout->addWidget(title_);
  layout->addWidget(plot_, 3);
  layout->addWidget(untimedTitle_);
  layout->addWidget(untimed_, 1);
  styleChart(plot_);
  plot_->xAxis->setLabel(tr("median time (ms)"));
  clear();
}

int TacticChart::untimedCount() const { return untimed_->count(); }

void TacticChart::clear() {
  plot_->clearPlottables();
  plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
  plot_->replot();
  untimed_->clear();
  untimedTitle_->hide();
  untimed_->hide();
  bars_ = 0;
  title_->setText(tr("Select a layer to see the tactics the builder timed for it."));
}

void TacticChart::setLayer(const LayerReport& layer) {
  clear();
  title_->setText(tr("<b>%1</b> (%2): chose <b>%3</b>")
                      .arg(QString::fromStdString(layer.name).toHtmlEscaped(),
                           QString::fromStdString(layer.type).toHtmlEscaped(),
                           QString::fromStdString(layer.tactic).toHtmlEscaped()));
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  auto* chosen = new QCPBars(plot_->yAxis, plot_->xAxis);
  auto* others = new QCPBars(plot_->yAxis, plot_->xAxis);
  auto* cached = new QCPBars(plot_->yAxis, plot_->xAxis);
  chosen->setName(tr("chosen"));
  others->setName(tr("timed"));
  cached->setName(tr("from timing cache"));
  chosen->setBrush(kAccent);
  chosen->setPen(Qt::NoPen);
  others->setBrush(kNeutral);
  others->setPen(Qt::NoPen);
  cached->setBrush(QBrush(kNeutral, Qt::BDiagPattern));
  cached->setPen(QPen(kNeutral));
  double most = 0;
  for (const TacticCandidate& c : layer.candidates) {
    const QString name = QString::fromStdString(c.tactic);
    if (c.ms < 0 || !c.skipped.empty()) {
      const QString why = c.skipped.empty() ? tr("chosen without timing") : QString::fromStdString(c.skipped);
      auto* row = new QListWidgetItem(name + " — " + why);
      row->setToolTip(why);
      untimed_->addItem(row);
      continue;
    }
    const double key = bars_++;
    ticker->addTick(key, name + QString("  %1 ms").arg(c.ms, 0, 'g', 4));
    QCPBars* into = c.tactic == layer.tactic ? chosen : c.fromCache ? cached : others;
    into->addData(key, c.ms);
    most = std::max(most, c.ms);
  }
  for (QCPBars* b : {chosen, others, cached}) b->setWidth(0.6);
  plot_->yAxis->setTicker(ticker);
  // At least a few slots, so one or two candidates do not draw as slabs.
  plot_->yAxis->setRange(-0.7, std::max(bars_, 5) - 0.3);
  untimedTitle_->setVisible(untimed_->count() > 0);
  untimed_->setVisible(untimed_->count() > 0);
  plot_->yAxis->setRangeReversed(true);
  plot_->xAxis->setRange(0, most > 0 ? most * 1.1 : 1);
  plot_->replot();
}

}  // namespace kiln::ui
