// Attribute values and shapes as the text a user reads and types in the
// studio's tables, with type-checked parsing.
#pragma once

#include <QString>
#include <optional>

#include "kiln/network.h"

namespace kiln::ui {

/// "int", "float", "string", "ints", "floats", "strings" or "tensor".
QString attributeKindName(Attribute::Kind kind);

/// True for the kinds a user can edit as text (all but strings and tensors).
bool isEditableKind(Attribute::Kind kind);

/// The value as text: "3", "1e-05", "NOTSET", "[1, 2, 3]"; tensors as their
/// type and shape.
QString attributeToText(const Attribute& attribute);

/// Parses `text` as an attribute of `kind`. Lists take "[1, 2]", "1, 2" or
/// "1 2". Returns nullopt and sets `error` to one line on bad text.
std::optional<Attribute> attributeFromText(Attribute::Kind kind, const QString& text, QString* error);

/// One dimension from text: a size ("4"), a symbol ("batch") or "?".
std::optional<Dim> dimFromText(const QString& text, QString* error);

/// A shape from "1, 3, 224, 224", "batch 3 64 64" or "1x3x224x224" (x splits
/// only when there is no comma or space, so symbols may contain an x).
std::optional<Dims> dimsFromText(const QString& text, QString* error);

/// A dimension as text: "4", "batch" or "?".
QString dimToText(const Dim& dim);

/// A shape as editable text: "batch, 3, 64, 64"; "?" for an unknown rank.
QString dimsToText(const Dims& dims);

}  // namespace kiln::ui
