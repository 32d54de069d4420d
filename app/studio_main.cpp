#include <QApplication>
#include <QCommandLineParser>

#include "main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("Kiln");
  QApplication::setApplicationName("Kiln Studio");
  QApplication::setApplicationVersion(KILN_VERSION);
  QCommandLineParser parser;
  parser.setApplicationDescription("Kiln Studio: inspect, build and profile ONNX models");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("model", "An .onnx model to open (default: the bundled sample)");
  parser.process(app);

  kiln::ui::MainWindow window;
  window.show();
  const QStringList args = parser.positionalArguments();
  const QString model = args.isEmpty() ? kiln::ui::sampleModelPath() : args.first();
  if (!model.isEmpty()) window.openFile(model);
  return QApplication::exec();
}
