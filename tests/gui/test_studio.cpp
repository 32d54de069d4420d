// The studio window: opens the bundled sample, survives broken files.
#include <QtTest>

#include <QMessageBox>
#include <QTreeWidget>

#include "kiln/onnx.h"
#include "main_window.h"
#include "model_view.h"
#include "support/test_models.h"

using namespace kiln;

class TestStudio : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QCoreApplication::setOrganizationName("KilnTest");
    QCoreApplication::setApplicationName("test_studio");
  }
  void opensTheSample() {
    ui::MainWindow w;
    QSignalSpy shown(&w, &ui::MainWindow::modelShown);
    w.openFile(KILN_SAMPLE_MODEL);
    QVERIFY(shown.wait(20000));
    const size_t expected = importOnnx(KILN_SAMPLE_MODEL).layers().size();
    QVERIFY(expected > 10);
    QCOMPARE(size_t(w.modelView()->layerTable()->topLevelItemCount()), expected);
    QCOMPARE(w.modelView()->ioTable()->topLevelItemCount(), 2);  // image in, probabilities out
    QCOMPARE(w.modelView()->ioTable()->topLevelItem(0)->text(3), QString("batchx3x64x64"));
  }
  void brokenFileShowsAMessage() {
    ui::MainWindow w;
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::modelShown);
    QSignalSpy failed(&w, &ui::MainWindow::openFailed);
    w.openFile(KILN_SAMPLE_MODEL);
    QVERIFY(shown.wait(20000));
    const int rows = w.modelView()->layerTable()->topLevelItemCount();
    std::string junk = test::writeFile(test::tempDir(), "broken.onnx", std::string(300, '\x7f'));
    w.openFile(QString::fromStdString(junk));
    QVERIFY(failed.wait(20000));
    QVERIFY(failed.at(0).at(1).toString().contains("broken.onnx"));
    auto* box = w.findChild<QMessageBox*>();
    QVERIFY(box != nullptr);
    QVERIFY(box->text().contains("broken.onnx"));
    QCOMPARE(w.modelView()->layerTable()->topLevelItemCount(), rows);  // the open model stays
    box->close();
  }
};

QTEST_MAIN(TestStudio)
#include "test_studio.moc"
