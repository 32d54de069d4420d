#include "document/save_prompt.h"

#include <QMessageBox>

namespace kiln::ui {

CloseStep decideBeforeClosing(bool modified, const std::function<SaveAnswer()>& ask) {
  if (!modified) return CloseStep::kProceed;
  switch (ask()) {
    case SaveAnswer::kSave: return CloseStep::kSaveFirst;
    case SaveAnswer::kDiscard: return CloseStep::kProceed;
    case SaveAnswer::kCancel: break;
  }
  return CloseStep::kStay;
}

SaveAnswer askToSaveChanges(QWidget* parent, const QString& documentName) {
  QMessageBox box(QMessageBox::Warning, QObject::tr("Unsaved changes"),
                  QObject::tr("Save changes to %1?").arg(documentName),
                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, parent);
  box.setInformativeText(QObject::tr("Your edits are lost if you don't save them."));
  box.setDefaultButton(QMessageBox::Save);
  box.setEscapeButton(QMessageBox::Cancel);
  switch (box.exec()) {
    case QMessageBox::Save: return SaveAnswer::kSave;
    case QMessageBox::Discard: return SaveAnswer::kDiscard;
    default: return SaveAnswer::kCancel;
  }
}

}  // namespace kiln::ui
