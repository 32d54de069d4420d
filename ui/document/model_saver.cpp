#include "document/model_saver.h"

#include <QFileInfo>
#include <QSaveFile>

#include "document/network_edits.h"
#include "kiln/errors.h"
#include "kiln/onnx.h"

namespace kiln::ui {

QString validateAndSave(const Network& network, const QString& path) {
  const QFileInfo target(path);
  std::string bytes;
  try {
    Network copy = network;
    forgetInferredShapes(copy);
    inferShapes(copy);
    copy.removeUnusedConstants();  // weights of deleted layers stay in the document for undo
    bytes = exportOnnxBytes(copy);
    OnnxImportOptions options;
    options.rejectUnsupported = false;
    options.runLibraryChecker = true;
    importOnnxBytes(bytes, target.absolutePath().toStdString(), target.fileName().toStdString(), options);
  } catch (const std::exception& e) {
    return QObject::tr("not saved, the model is invalid: %1").arg(QString::fromUtf8(e.what()).simplified());
  }
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes.data(), qint64(bytes.size())) != qint64(bytes.size()) ||
      !file.commit()) {
    return QObject::tr("cannot write %1: %2").arg(path, file.errorString());
  }
  return {};
}

}  // namespace kiln::ui
