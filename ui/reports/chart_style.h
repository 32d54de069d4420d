// One look for every chart of the studio.
#pragma once

#include <QColor>

class QCustomPlot;

namespace kiln::ui {

/// The highlight colour (chosen tactic, latest sample).
inline const QColor kAccent{0x2d, 0x7d, 0xd2};
/// The colour of ordinary bars.
inline const QColor kNeutral{0x9a, 0xa5, 0xb1};
/// A colour per series index, for categories (precisions, layer types).
QColor seriesColour(int index);

/// Sets the palette-aware background, fonts and grid of `plot`; no legend, no interactions.
void styleChart(QCustomPlot* plot);

}  // namespace kiln::ui
