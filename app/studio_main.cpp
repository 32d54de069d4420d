#include <QApplication>
#include <QCommandLineParser>

#include "main_window.h"
#include "studio_script.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("Kiln");
  QApplication::setApplicationName("Kiln Studio");
  QApplication::setApplicationVersion(KILN_VERSION);
  QCommandLineParser parser;
  parser.setApplicationDescription("Kiln Studio: inspect, build and profile ONNX models");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("model", "An .onnx model or a .plan to open (default: the bundled sample)");
  QCommandLineOption script("build-and-profile",
                            "Build the model, profile it for SECONDS, then quit (headless checks; use with "
                            "QT_QPA_PLATFORM=offscreen)",
                            "SECONDS");
  QCommandLineOption target("target", "Build target for --build-and-profile: cpu or cuda", "TARGET", "cpu");
  QCommandLineOption fp16("fp16", "Allow fp16 layers in --build-and-profile");
  QCommandLineOption screenshot("screenshot", "With --build-and-profile: save the window as PNG at the end", "FILE");
  parser.addOptions({script, target, fp16, screenshot});
  parser.process(app);

  kiln::ui::MainWindow window;
  window.show();
  const QStringList args = parser.positionalArguments();
  const QString model = args.isEmpty() ? kiln::ui::sampleModelPath() : args.first();
  if (parser.isSet(script)) {
    kiln::ui::StudioScriptOptions options;
    options.target = parser.value(target) == "cuda" ? kiln::Target::kCuda : kiln::Target::kCpu;
    options.fp16 = parser.isSet(fp16);
    options.profileSeconds = parser.value(script).toDouble();
    options.screenshot = parser.value(screenshot);
    new kiln::ui::StudioScript(&window, options, &window);
  }
  if (!model.isEmpty()) window.openFile(model);
  return QApplication::exec();
}
