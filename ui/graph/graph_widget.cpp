#include "graph_widget.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QStackedWidget>
#include <QToolButton>

#include "graph/graph_scene.h"
#include "graph/graph_view.h"
#include "graph/layout_worker.h"

namespace kiln::ui {

GraphWidget::GraphWidget(QWidget* parent)
    : QWidget(parent), worker_(new LayoutWorker(this)), view_(new GraphView), stack_(new QStackedWidget),
      placeholder_(new QLabel) {
  placeholder_->setAlignment(Qt::AlignCenter);
  placeholder_->setWordWrap(true);
  placeholder_->setStyleSheet(QStringLiteral("color: palette(mid); font-size: 14pt;"));
  findBar_ = createFindBar();
  auto* page = new QWidget;
  auto* pageLayout = new QVBoxLayout(page);
  pageLayout->setContentsMargins(0, 0, 0, 0);
  pageLayout->setSpacing(0);
  pageLayout->addWidget(findBar_);
  pageLayout->addWidget(view_);
  stack_->addWidget(placeholder_);
  stack_->addWidget(page);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(stack_);
  showPlaceholder(tr("No model"));

  auto* find = new QShortcut(QKeySequence::Find, this, this, &GraphWidget::showFind);
  find->setContext(Qt::WidgetWithChildrenShortcut);
  auto* next = new QShortcut(QKeySequence::FindNext, this, [this] { step(true); });
  next->setContext(Qt::WidgetWithChildrenShortcut);
  auto* previous = new QShortcut(QKeySequence::FindPrevious, this, [this] { step(false); });
  previous->setContext(Qt::WidgetWithChildrenShortcut);

  connect(worker_, &LayoutWorker::finished, this, [this](std::shared_ptr<const GraphLayout> layout, double ms) {
    stack_->setCurrentIndex(1);  // before showLayout, so the view knows its size
    view_->showLayout(layout);
    runFind(findEdit_->text());
    emit layoutFinished(int(layout->nodes.size()), ms);
  });
  connect(worker_, &LayoutWorker::failed, this, [this](const QString& message) {
    showPlaceholder(tr("The graph could not be laid out.\n%1").arg(message));
    emit layoutFailed(message);
  });
  connect(view_, &GraphView::layerSelected, this, &GraphWidget::layerSelected);
  connect(view_, &GraphView::layerContextMenuRequested, this, &GraphWidget::layerContextMenuRequested);
}

GraphWidget::~GraphWidget() = default;

QWidget* GraphWidget::createFindBar() {
  auto* bar = new QWidget;
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(6, 4, 6, 4);
  findEdit_ = new QLineEdit;
  findEdit_->setPlaceholderText(tr("Find layer, op type or tensor"));
  findEdit_->setClearButtonEnabled(true);
  findEdit_->installEventFilter(this);
  findCount_ = new QLabel;
  findCount_->setMinimumWidth(90);
  auto button = [&](const QString& text, const QString& tip) {
    auto* b = new QToolButton;
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    row->addWidget(b);
    return b;
  };
  row->addWidget(findEdit_, 1);
  row->addWidget(findCount_);
  connect(button(QStringLiteral("▲"), tr("Previous match (Shift+F3)")), &QToolButton::clicked, this,
          [this] { step(false); });
  connect(button(QStringLiteral("▼"), tr("Next match (F3)")), &QToolButton::clicked, this, [this] { step(true); });
  connect(button(QStringLiteral("✕"), tr("Close (Esc)")), &QToolButton::clicked, bar, &QWidget::hide);
  connect(findEdit_, &QLineEdit::textChanged, this, &GraphWidget::runFind);
  bar->hide();
  return bar;
}

void GraphWidget::showFind() {
  findBar_->show();
  findEdit_->setFocus();
  findEdit_->selectAll();
}

void GraphWidget::runFind(const QString& text) {
  findTotal_ = int(view_->find(text).size());
  findCount_->setText(text.isEmpty()      ? QString()
                     : findTotal_ == 0  ? tr("no matches")
                     : findTotal_ == 1  ? tr("1 match")
                                        : tr("%1 matches").arg(findTotal_));
}

void GraphWidget::step(bool forward) {
  if (findTotal_ == 0) return;
  forward ? view_->selectNext() : view_->selectPrevious();
  findCount_->setText(tr("%1 of %2").arg(view_->currentMatch() + 1).arg(findTotal_));
}

bool GraphWidget::eventFilter(QObject* watched, QEvent* event) {
  if (watched == findEdit_ && event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
      step(!(key->modifiers() & Qt::ShiftModifier));
      return true;
    }
    if (key->key() == Qt::Key_Escape) {
      findBar_->hide();
      view_->setFocus();
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void GraphWidget::showPlaceholder(const QString& text) {
  placeholder_->setText(text);
  stack_->setCurrentIndex(0);
}

QString GraphWidget::placeholderText() const { return stack_->currentIndex() == 0 ? placeholder_->text() : QString(); }

void GraphWidget::setNetwork(std::shared_ptr<const Network> network) {
  view_->clear();
  if (!network) {
    worker_->cancel();
    showPlaceholder(tr("No model"));
    return;
  }
  const int layers = int(network->layers().size());
  showPlaceholder(layers == 1 ? tr("Laying out 1 layer…") : tr("Laying out %1 layers…").arg(layers));
  worker_->request(std::move(network), GraphStyle::fromFont(font()));
}

}  // namespace kiln::ui
