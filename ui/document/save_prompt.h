// "Save changes to X?" before a document is closed or replaced.
#pragma once

#include <QString>
#include <cstdint>
#include <functional>

class QWidget;

namespace kiln::ui {

/// The user's answer to "Save changes?".
enum class SaveAnswer : int32_t {
  kSave = 0,     ///< save, then go on
  kDiscard = 1,  ///< drop the changes and go on
  kCancel = 2,   ///< stay with the document as it is
};

/// What the caller does next.
enum class CloseStep : int32_t {
  kProceed = 0,    ///< close or replace the document now
  kSaveFirst = 1,  ///< save; close or replace once saved() arrives, stay on saveFailed()
  kStay = 2,       ///< do nothing
};

/// Decides what closing or replacing a document takes; calls `ask` only when
/// the document is `modified`.
CloseStep decideBeforeClosing(bool modified, const std::function<SaveAnswer()>& ask);

/// Asks "Save changes to `documentName`?" in a modal QMessageBox with Save,
/// Discard and Cancel (Escape cancels).
SaveAnswer askToSaveChanges(QWidget* parent, const QString& documentName);

}  // namespace kiln::ui
