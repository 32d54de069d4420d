#include "document/value_text.h"

#include <QRegularExpression>
#include <QStringList>
#include <algorithm>
#include <charconv>
#include <cmath>

namespace kiln::ui {

namespace {
QString floatText(float v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back as the same float
  return QString::fromLatin1(buf, int(r.ptr - buf));
}

QStringList listItems(QString text) {
  text = text.trimmed();
  if (text.startsWith('[') && text.endsWith(']')) text = text.mid(1, text.size() - 2);
  return text.split(QRegularExpression("[,\\s]+"), Qt::SkipEmptyParts);
}

std::optional<int64_t> intFrom(const QString& text) {
  bool ok = false;
  const qlonglong v = text.trimmed().toLongLong(&ok);
  return ok ? std::optional<int64_t>(v) : std::nullopt;
}

std::optional<float> floatFrom(const QString& text) {
  bool ok = false;
  const double v = text.trimmed().toDouble(&ok);
  if (!ok || std::isnan(v)) return std::nullopt;
  return float(v);
}
}  // namespace

QString attributeKindName(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kTensor: return "tensor";
  }
  return "?";
}

bool isEditableKind(Attribute::Kind kind) {
  return kind != Attribute::Kind::kStrings && kind != Attribute::Kind::kTensor;
}

QString attributeToText(const Attribute& a) {
  QStringList items;
  switch (a.kind) {
    case Attribute::Kind::kInt: return QString::number(a.i);
    case Attribute::Kind::kFloat: return floatText(a.f);
    case Attribute::Kind::kString: return QString::fromStdString(a.s);
    case Attribute::Kind::kInts:
      for (auto v : a.ints) items << QString::number(v);
      break;
    case Attribute::Kind::kFloats:
      for (auto v : a.floats) items << floatText(v);
      break;
    case Attribute::Kind::kStrings:
      for (const auto& v : a.strings) items << '"' + QString::fromStdString(v) + '"';
      break;
    case Attribute::Kind::kTensor:
      return a.t ? QString("%1 %2").arg(toString(a.t->type()), QString::fromStdString(shapeString(a.t->shape())))
                 : QString("tensor");
  }
  return '[' + items.join(", ") + ']';
}

std::optional<Attribute> attributeFromText(Attribute::Kind kind, const QString& text, QString* error) {
  auto fail = [&](const QString& why) -> std::optional<Attribute> {
    if (error) *error = why;
    return std::nullopt;
  };
  switch (kind) {
    case Attribute::Kind::kInt:
      if (auto v = intFrom(text)) return Attribute::ofInt(*v);
      return fail(QString("'%1' is not an integer").arg(text));
    case Attribute::Kind::kFloat:
      if (auto v = floatFrom(text)) return Attribute::ofFloat(*v);
      return fail(QString("'%1' is not a number").arg(text));
    case Attribute::Kind::kString: return Attribute::ofString(text.toStdString());
    case Attribute::Kind::kInts: {
      std::vector<int64_t> values;
      for (const auto& item : listItems(text)) {
        auto v = intFrom(item);
        if (!v) return fail(QString("'%1' is not an integer").arg(item));
        values.push_back(*v);
      }
      return Attribute::ofInts(std::move(values));
    }
    case Attribute::Kind::kFloats: {
      std::vector<float> values;
      for (const auto& item : listItems(text)) {
        auto v = floatFrom(item);
        if (!v) return fail(QString("'%1' is not a number").arg(item));
        values.push_back(*v);
      }
      return Attribute::ofFloats(std::move(values));
    }
    case Attribute::Kind::kStrings:
    case Attribute::Kind::kTensor: break;
  }
  return fail(QString("%1 attributes cannot be edited as text").arg(attributeKindName(kind)));
}

std::optional<Dim> dimFromText(const QString& text, QString* error) {
  const QString t = text.trimmed();
  if (t == "?") return Dim();
  if (auto v = intFrom(t)) {
    if (*v >= 0) return Dim(*v);
    if (error) *error = QString("a dimension cannot be negative (%1)").arg(t);
    return std::nullopt;
  }
  static const QRegularExpression symbol("^[A-Za-z_][A-Za-z0-9_.\\-]*$");
  if (symbol.match(t).hasMatch()) return Dim::symbolic(t.toStdString());
  if (error) *error = QString("'%1' is neither a size nor a symbol name").arg(t);
  return std::nullopt;
}

std::optional<Dims> dimsFromText(const QString& text, QString* error) {
  const QString t = text.trimmed();
  if (t == "?") return Dims::unknownRank();
  QStringList items = listItems(t);
  if (items.size() == 1 && !t.startsWith('[')) {
    // "1x3x224x224" as Dims::str() prints it; a lone symbol such as "max_len" stays whole.
    const QStringList parts = t.split('x', Qt::SkipEmptyParts);
    if (std::any_of(parts.begin(), parts.end(), [](const QString& p) { return intFrom(p).has_value(); })) items = parts;
  }
  Dims dims;
  for (const auto& item : items) {
    auto d = dimFromText(item, error);
    if (!d) return std::nullopt;
    dims.d.push_back(*d);
  }
  return dims;
}

QString dimToText(const Dim& d) {
  return d.known() ? QString::number(d.value) : d.symbol.empty() ? QString("?") : QString::fromStdString(d.symbol);
}

QString dimsToText(const Dims& dims) {
  if (!dims.rankKnown) return "?";
  QStringList items;
  for (const auto& d : dims.d) items << dimToText(d);
  return items.join(", ");
}

}  // namespace kiln::ui
