#include "chart_style.h"

#include <QApplication>
#include <QPalette>
#include <qcustomplot.h>

namespace kiln::ui {

QColor seriesColour(int index) {
  static const QColor kColours[] = {QColor(0x2d, 0x7d, 0xd2), QColor(0xe0, 0x7b, 0x39), QColor(0x3a, 0xa6, 0x5c),
                                    QColor(0xc0, 0x3b, 0x4a), QColor(0x8e, 0x63, 0xc9), QColor(0x9a, 0x7b, 0x4f),
                                    QColor(0xd0, 0x6f, 0xb8), QColor(0x70, 0x80, 0x90)};
  return kColours[index % 8];
}

void styleChart(QCustomPlot* plot) {
  const QPalette pal = QApplication::palette();
  plot->setBackground(pal.base());
  plot->setMinimumSize(200, 150);
  for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
    axis->setBasePen(QPen(pal.mid().color()));
    axis->setTickPen(QPen(pal.mid().color()));
    axis->setSubTickPen(QPen(pal.mid().color()));
    axis->setTickLabelColor(pal.text().color());
    axis->setLabelColor(pal.text().color());
    axis->grid()->setPen(QPen(pal.midlight().color(), 0, Qt::DotLine));
  }
  plot->yAxis->grid()->setVisible(false);
}

}  // namespace kiln::ui
