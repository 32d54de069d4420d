#include "console_widget.h"

#include <algorithm>

#include <QAction>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QMenu>
#include <QTextCharFormat>
#include <QTime>

#include "kiln/builder.h"

namespace kiln::ui {

ConsoleWidget::ConsoleWidget(QWidget* parent) : QPlainTextEdit(parent), clearAction_(new QAction(tr("Clear"), this)) {
  setReadOnly(true);
  setMaximumBlockCount(20000);
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  setLineWrapMode(QPlainTextEdit::NoWrap);
  clearAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  clearAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  connect(clearAction_, &QAction::triggered, this, &QPlainTextEdit::clear);
  addAction(clearAction_);
}

void ConsoleWidget::appendMessage(int severity, const QString& message) {
  using S = Logger::Severity;
  if (severity == int(S::kVerbose) && !showVerbose_) return;
  static const char* const kTags[] = {"error", "warning", "info", "verbose"};
  const int s = std::clamp(severity, 0, 3);
  const QColor colours[] = {QColor(0xd0, 0x30, 0x30), QColor(0xc0, 0x80, 0x00), palette().text().color(),
                            QColor(0x80, 0x80, 0x80)};
  QTextCharFormat format;
  format.setForeground(colours[s]);
  QTextCursor cursor(document());
  cursor.movePosition(QTextCursor::End);
  if (!document()->isEmpty()) cursor.insertBlock();
  cursor.insertText(QString("%1 %2: %3").arg(QTime::currentTime().toString("HH:mm:ss"), kTags[s], message), format);
  ensureCursorVisible();
  moveCursor(QTextCursor::End);
}

void ConsoleWidget::contextMenuEvent(QContextMenuEvent* event) {
  QMenu* menu = createStandardContextMenu();
  menu->addSeparator();
  menu->addAction(clearAction_);
  menu->exec(event->globalPos());
  delete menu;
}

}  // namespace kiln::ui
