// The ops the studio's palette offers, with default attributes.
#pragma once

#include <QString>
#include <vector>

#include "kiln/network.h"

namespace kiln::ui {

/// One entry of the op palette.
struct PaletteOp {
  QString family;        ///< the group it is listed under ("Activation", ...)
  QString op;            ///< the operator type
  Attributes defaults;   ///< attributes a new layer starts with
};

/// The common single-input ops that Kiln's op registry knows, grouped by
/// family in display order. Each fits after any tensor: it reads one input.
std::vector<PaletteOp> paletteOps();

}  // namespace kiln::ui
