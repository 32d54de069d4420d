// The studio's document model, its undoable edits, saving, and the
// properties and op palette panels.
#include <QtTest>

#include <QFile>
#include <QLineEdit>
#include <QTableWidget>
#include <QTreeWidget>
#include <QUndoStack>
#include <qcustomplot.h>

#include "document/model_document.h"
#include "document/network_edits.h"
#include "document/save_prompt.h"
#include "document/value_text.h"
#include "kiln/onnx.h"
#include "panels/op_palette.h"
#include "panels/properties_panel.h"
#include "support/test_models.h"

using namespace kiln;
using kiln::ui::ModelDocument;

namespace {
constexpr int kSampleLayers = 25;  // stem 4, block1 7, down 3, block2 7, head 4

void openSample(ModelDocument& doc) {
  QSignalSpy reset(&doc, &ModelDocument::modelReset);
  doc.open(KILN_SAMPLE_MODEL);
  QVERIFY(reset.wait(20000));
}

const Layer& layerOf(const Network& net, const std::string& name) {
  const int i = ui::findLayer(net, name);
  if (i < 0) throw std::runtime_error("no layer " + name);
  return net.layers()[size_t(i)];
}

std::vector<std::string> inputsOf(const ModelDocument& doc, const std::string& layer) {
  return layerOf(*doc.snapshot(), layer).inputs;
}

std::vector<std::string> layerNames(const Network& net) {
  std::vector<std::string> names;
  for (const auto& l : net.layers()) names.push_back(l.name);
  return names;
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// x (1x4) + w, with w = [1, 2, 3, 4]: weights whose statistics are known exactly.
Network knownWeightsNetwork() {
  Network net;
  net.addInput("x", DataType::kFloat32, Dims{1, 4});
  net.addConstant("w", HostTensor::fromDoubles(DataType::kFloat32, {4}, {1, 2, 3, 4}));
  net.markOutput(net.add("Add", {"x", "w"}, {}, "add"));
  inferShapes(net);
  return net;
}
}  // namespace

class TestDocument : public QObject {
  Q_OBJECT
 private slots:
  void opensTheSample() {
    ModelDocument doc;
    QVERIFY(!doc.hasModel());
    openSample(doc);
    QCOMPARE(int(doc.snapshot()->layers().size()), kSampleLayers);
    QCOMPARE(doc.snapshot()->tensor("probabilities").dims.str(), std::string("batchx10"));
    QCOMPARE(doc.displayName(), QString("sample.onnx"));
    QVERIFY(!doc.isModified());
  }

  void openFailureIsReported() {
    ModelDocument doc;
    QSignalSpy failed(&doc, &ModelDocument::openFailed);
    doc.open(QString::fromStdString(test::writeFile(test::tempDir(), "junk.onnx", std::string(64, '\x7f'))));
    QVERIFY(failed.wait(20000));
    QVERIFY(failed.at(0).at(1).toString().contains("junk.onnx"));
    QVERIFY(!doc.hasModel());
  }

  void renameUndoRedo() {
    ModelDocument doc;
    openSample(doc);
    QSignalSpy renamed(&doc, &ModelDocument::layerRenamed);
    QSignalSpy modified(&doc, &ModelDocument::modifiedChanged);
    QVERIFY(doc.renameLayer("head/fc", "classifier", true));
    QCOMPARE(renamed.count(), 1);
    QCOMPARE(renamed.at(0).at(1).toString(), QString("classifier"));
    QCOMPARE(layerOf(*doc.snapshot(), "classifier").outputs, std::vector<std::string>{"classifier"});
    QCOMPARE(inputsOf(doc, "probabilities"), std::vector<std::string>{"classifier"});
    QVERIFY(doc.snapshot()->findTensor("head/fc") == nullptr);
    QVERIFY(doc.isModified());
    QCOMPARE(modified.count(), 1);

    doc.undoStack()->undo();
    QCOMPARE(ui::findLayer(*doc.snapshot(), "classifier"), -1);
    QCOMPARE(layerOf(*doc.snapshot(), "head/fc").outputs, std::vector<std::string>{"head/fc"});
    QCOMPARE(inputsOf(doc, "probabilities"), std::vector<std::string>{"head/fc"});
    QVERIFY(!doc.isModified());

    doc.undoStack()->redo();
    QCOMPARE(inputsOf(doc, "probabilities"), std::vector<std::string>{"classifier"});
    QCOMPARE(doc.snapshot()->tensor("classifier").dims.str(), std::string("batchx10"));

    QString why;
    QVERIFY(!doc.renameLayer("stem/conv", "stem/bn", false, &why));
    QCOMPARE(why, QString("a layer named 'stem/bn' already exists"));
  }

  void attributeEditsMerge() {
    ModelDocument doc;
    openSample(doc);
    const float original = layerOf(*doc.snapshot(), "stem/bn").attrs.at("epsilon").f;
    QCOMPARE(original, 1e-5f);
    QVERIFY(doc.setAttribute("stem/bn", "epsilon", Attribute::ofFloat(1e-3f)));
    QVERIFY(doc.setAttribute("stem/bn", "epsilon", Attribute::ofFloat(1e-4f)));
    QCOMPARE(doc.undoStack()->count(), 1);
    QCOMPARE(layerOf(*doc.snapshot(), "stem/bn").attrs.at("epsilon").f, 1e-4f);
    QVERIFY(doc.setAttribute("head/flatten", "axis", Attribute::ofInt(1)));  // another attribute: no merge
    QCOMPARE(doc.undoStack()->count(), 2);
    doc.undoStack()->undo();
    doc.undoStack()->undo();
    QCOMPARE(layerOf(*doc.snapshot(), "stem/bn").attrs.at("epsilon").f, original);
    QVERIFY(!doc.isModified());
  }

  void deleteRewiresASingleInputLayer() {
    ModelDocument doc;
    openSample(doc);
    QSignalSpy removed(&doc, &ModelDocument::layerRemoved);
    QVERIFY(!doc.deleteWouldDangle("stem/relu"));
    QVERIFY(doc.deleteLayer("stem/relu", false));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(int(doc.snapshot()->layers().size()), kSampleLayers - 1);
    QCOMPARE(inputsOf(doc, "stem/pool"), std::vector<std::string>{"stem/bn"});
    QVERIFY(doc.snapshot()->findTensor("stem/relu") == nullptr);
    doc.undoStack()->undo();
    QCOMPARE(int(doc.snapshot()->layers().size()), kSampleLayers);
    QCOMPARE(layerNames(*doc.snapshot())[2], std::string("stem/relu"));
    QCOMPARE(inputsOf(doc, "stem/pool"), std::vector<std::string>{"stem/relu"});

    // The classifier's output layer: its graph output moves to its input.
    QVERIFY(doc.deleteLayer("probabilities", false));
    QCOMPARE(doc.snapshot()->outputs(), std::vector<std::string>{"head/fc"});
    doc.undoStack()->undo();
    QCOMPARE(doc.snapshot()->outputs(), std::vector<std::string>{"probabilities"});
  }

  void deleteThatDanglesNeedsConsent() {
    ModelDocument doc;
    openSample(doc);
    QVERIFY(doc.deleteWouldDangle("block1/add"));
    QString why;
    QVERIFY(!doc.deleteLayer("block1/add", false, &why));
    QVERIFY(why.contains("dangling"));
    QCOMPARE(doc.undoStack()->count(), 0);
    QSignalSpy failed(&doc, &ModelDocument::inferenceFailed);
    QVERIFY(doc.deleteLayer("block1/add", true));
    QCOMPARE(inputsOf(doc, "block1/relu"), std::vector<std::string>{"block1/add"});
    QCOMPARE(failed.count(), 1);
    QVERIFY(doc.inferenceError().contains("'block1/add' has no producer"));
    doc.undoStack()->undo();
    QVERIFY(doc.inferenceError().isEmpty());
    QCOMPARE(doc.snapshot()->tensor("probabilities").dims.str(), std::string("batchx10"));
  }

  void batchDimChangesInferredShapes() {
    ModelDocument doc;
    openSample(doc);
    QSignalSpy inputs(&doc, &ModelDocument::inputsChanged);
    QVERIFY(doc.setBatchDim(Dim(4)));
    QCOMPARE(inputs.count(), 1);
    QCOMPARE(doc.snapshot()->tensor("image").dims, (Dims{4, 3, 64, 64}));
    QCOMPARE(doc.snapshot()->tensor("probabilities").dims, (Dims{4, 10}));
    QCOMPARE(doc.snapshot()->tensor("stem/pool").dims, (Dims{4, 16, 16, 16}));
    QVERIFY(doc.setInputShape("image", Dims{2, 3, 32, 32}));
    QCOMPARE(doc.snapshot()->tensor("probabilities").dims, (Dims{2, 10}));
    QCOMPARE(doc.snapshot()->tensor("stem/pool").dims, (Dims{2, 16, 8, 8}));
    doc.undoStack()->undo();
    doc.undoStack()->undo();
    QCOMPARE(doc.snapshot()->tensor("probabilities").dims.str(), std::string("batchx10"));
    QVERIFY(doc.setBatchDim(Dim::symbolic("n")));
    QCOMPARE(doc.snapshot()->tensor("probabilities").dims.str(), std::string("nx10"));
    QString why;
    QVERIFY(!doc.setInputShape("stem/relu", Dims{1}, &why));
    QCOMPARE(why, QString("'stem/relu' is not a graph input"));
  }

  void addReluAfterATensor() {
    ModelDocument doc;
    openSample(doc);
    QSignalSpy added(&doc, &ModelDocument::layerAdded);
    QString name;
    QVERIFY(doc.addLayerAfter("head/flatten", "Relu", {}, &name));
    QCOMPARE(name, QString("relu"));
    QCOMPARE(added.count(), 1);
    const Network& net = *doc.snapshot();
    QCOMPARE(int(net.layers().size()), kSampleLayers + 1);
    QCOMPARE(layerNames(net)[23], std::string("relu"));  // right after head/flatten
    QCOMPARE(layerOf(net, "relu").inputs, std::vector<std::string>{"head/flatten"});
    QCOMPARE(layerOf(net, "relu").outputs, std::vector<std::string>{"relu"});
    QCOMPARE(inputsOf(doc, "head/fc"), (std::vector<std::string>{"relu", "head.fc.weight", "head.fc.bias"}));
    QCOMPARE(net.tensor("relu").dims.str(), std::string("batchx32"));

    QVERIFY(doc.addLayerAfter("probabilities", "Relu", {}, &name));  // after the graph output
    QCOMPARE(name, QString("relu_1"));
    QCOMPARE(doc.snapshot()->outputs(), std::vector<std::string>{"relu_1"});
    doc.undoStack()->undo();
    doc.undoStack()->undo();
    QCOMPARE(doc.snapshot()->outputs(), std::vector<std::string>{"probabilities"});
    QCOMPARE(inputsOf(doc, "head/fc")[0], std::string("head/flatten"));
    QVERIFY(doc.snapshot()->findTensor("relu") == nullptr);
    QString why;
    QVERIFY(!doc.addLayerAfter("nowhere", "Relu", {}, nullptr, &why));
    QCOMPARE(why, QString("no tensor named 'nowhere'"));
  }

  void saveAndReopenRoundTrip() {
    ModelDocument doc;
    openSample(doc);
    QVERIFY(doc.renameLayer("head/fc", "classifier", true));
    QVERIFY(doc.setAttribute("stem/bn", "epsilon", Attribute::ofFloat(2e-5f)));
    QVERIFY(doc.deleteLayer("block2.conv1/relu", false));
    const QString path = test::tempDir() + "/edited.onnx";
    QSignalSpy saved(&doc, &ModelDocument::saved);
    QVERIFY(doc.save(path));
    QVERIFY(saved.wait(20000));
    QCOMPARE(saved.at(0).at(0).toString(), path);
    QVERIFY(!doc.isModified());
    QCOMPARE(doc.path(), path);

    OnnxImportOptions options;
    options.rejectUnsupported = false;
    const Network back = importOnnx(path.toStdString(), options);
    const Network& mine = *doc.snapshot();
    QCOMPARE(int(back.layers().size()), kSampleLayers - 1);
    QCOMPARE(layerNames(back), layerNames(mine));
    for (size_t i = 0; i < mine.layers().size(); ++i) {
      const Layer& a = mine.layers()[i];
      const Layer& b = back.layers()[i];
      QCOMPARE(b.op, a.op);
      QCOMPARE(b.inputs, a.inputs);
      QCOMPARE(b.attrs.size(), a.attrs.size());
      for (const auto& [key, value] : a.attrs) {
        QCOMPARE(ui::attributeToText(b.attrs.at(key)), ui::attributeToText(value));
      }
    }
    QCOMPARE(layerOf(back, "stem/bn").attrs.at("epsilon").f, 2e-5f);
    QVERIFY(back.findTensor("block2.conv1.weight"));  // still read by its conv
  }

  void invalidModelIsNotSaved() {
    ModelDocument doc;
    openSample(doc);
    const QString dir = test::tempDir();
    const QString path = dir + "/kept.onnx";
    QSignalSpy saved(&doc, &ModelDocument::saved);
    QVERIFY(doc.save(path));
    QVERIFY(saved.wait(20000));
    const QByteArray before = readAll(path);
    QVERIFY(before.size() > 1000);

    QSignalSpy inferenceFailed(&doc, &ModelDocument::inferenceFailed);
    QVERIFY(doc.setAttribute("probabilities", "axis", Attribute::ofInt(5)));
    QCOMPARE(inferenceFailed.count(), 1);  // the edit stays: the user may be mid-way
    QCOMPARE(layerOf(*doc.snapshot(), "probabilities").attrs.at("axis").i, int64_t(5));
    QSignalSpy failed(&doc, &ModelDocument::saveFailed);
    QVERIFY(doc.save());
    QVERIFY(failed.wait(20000));
    const QString reason = failed.at(0).at(1).toString();
    QVERIFY2(reason.contains("axis 5 is out of range for rank 2"), qPrintable(reason));
    QVERIFY(reason.contains("probabilities"));
    QVERIFY(!reason.contains('\n'));
    QCOMPARE(failed.at(0).at(0).toString(), path);
    QCOMPARE(readAll(path), before);
    QVERIFY(doc.isModified());
    QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden), QStringList{"kept.onnx"});  // no temporary left
  }

  void unsavedChangesDecision() {
    using ui::CloseStep;
    using ui::SaveAnswer;
    int asked = 0;
    auto answer = [&](SaveAnswer a) {
      return [&asked, a] {
        ++asked;
        return a;
      };
    };
    QCOMPARE(ui::decideBeforeClosing(false, answer(SaveAnswer::kCancel)), CloseStep::kProceed);
    QCOMPARE(asked, 0);
    QCOMPARE(ui::decideBeforeClosing(true, answer(SaveAnswer::kSave)), CloseStep::kSaveFirst);
    QCOMPARE(ui::decideBeforeClosing(true, answer(SaveAnswer::kDiscard)), CloseStep::kProceed);
    QCOMPARE(ui::decideBeforeClosing(true, answer(SaveAnswer::kCancel)), CloseStep::kStay);
    QCOMPARE(asked, 3);
  }

  void valueTextParsing() {
    QString why;
    QCOMPARE(ui::attributeFromText(Attribute::Kind::kInts, "[1, 2,3]", &why)->ints, (std::vector<int64_t>{1, 2, 3}));
    QVERIFY(!ui::attributeFromText(Attribute::Kind::kInt, "2.5", &why));
    QCOMPARE(why, QString("'2.5' is not an integer"));
    QCOMPARE(ui::attributeToText(Attribute::ofFloat(1e-5f)), QString("1e-05"));
    QCOMPARE(ui::attributeToText(Attribute::ofInts({2, 2})), QString("[2, 2]"));
    QCOMPARE(ui::dimsFromText("batchx3x64x64", &why)->str(), std::string("batchx3x64x64"));
    QCOMPARE(ui::dimsFromText("max_len", &why)->str(), std::string("max_len"));
    QCOMPARE(ui::dimsFromText("n, 3, ?", &why)->str(), std::string("nx3x?"));
    QVERIFY(!ui::dimsFromText("1, -2", &why));
    QCOMPARE(ui::dimsToText(Dims{4, 3}), QString("4, 3"));
  }

  void panelShowsWeightStats() {
    ModelDocument doc;
    doc.reset(knownWeightsNetwork(), {});
    ui::PropertiesPanel panel;
    panel.setDocument(&doc);
    panel.showLayer("add");
    QCOMPARE(panel.statText("elements"), QString("4"));
    QCOMPARE(panel.statText("min"), QString("1"));
    QCOMPARE(panel.statText("max"), QString("4"));
    QCOMPARE(panel.statText("mean"), QString("2.5"));
    QCOMPARE(panel.statText("std"), QString("1.118"));
    auto* bars = qobject_cast<QCPBars*>(panel.histogram()->plottable(0));
    double total = 0;
    for (int i = 0; i < bars->data()->size(); ++i) total += bars->data()->at(i)->value;
    QCOMPARE(total, 4.0);
    QCOMPARE(panel.inputsTable()->topLevelItemCount(), 2);
    QCOMPARE(panel.inputsTable()->topLevelItem(1)->text(3), QString("weights"));
    QCOMPARE(panel.outputsTable()->topLevelItem(0)->text(2), QString("1x4"));
  }

  void panelEditsAttributesTypeChecked() {
    ModelDocument doc;
    openSample(doc);
    ui::PropertiesPanel panel;
    panel.setDocument(&doc);
    panel.showLayer("head/flatten");
    QTableWidget* table = panel.attributeTable();
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, 0)->text(), QString("axis"));
    QCOMPARE(table->item(0, 1)->text(), QString("int"));
    table->item(0, 2)->setText("one");
    QCOMPARE(panel.errorText(), QString("axis: 'one' is not an integer"));
    QCOMPARE(doc.undoStack()->count(), 0);
    QTRY_COMPARE(table->item(0, 2)->text(), QString("1"));

    table->item(0, 2)->setText("2");
    QCOMPARE(panel.errorText(), QString());
    QCOMPARE(layerOf(*doc.snapshot(), "head/flatten").attrs.at("axis").i, int64_t(2));
    QCOMPARE(doc.snapshot()->tensor("head/flatten").dims.str(), std::string("?x1"));  // batch*32 rows of 1
    QTRY_COMPARE(panel.outputsTable()->topLevelItem(0)->text(2), QString("?x1"));
  }

  void panelRenamesAndEditsInputs() {
    ModelDocument doc;
    openSample(doc);
    ui::PropertiesPanel panel;
    panel.setDocument(&doc);
    panel.showLayer("head/fc");
    QCOMPARE(panel.statText("elements"), QString("320"));  // head.fc.weight is 10x32
    panel.nameEdit()->setText("classifier");
    QTest::keyClick(panel.nameEdit(), Qt::Key_Return);
    QCOMPARE(inputsOf(doc, "probabilities"), std::vector<std::string>{"classifier"});
    QTRY_COMPARE(panel.nameEdit()->text(), QString("classifier"));

    panel.showTensor("image");
    QCOMPARE(panel.shapeEdit()->text(), QString("batch, 3, 64, 64"));
    QCOMPARE(panel.batchEdit()->text(), QString("batch"));
    panel.batchEdit()->setText("8");
    QTest::keyClick(panel.batchEdit(), Qt::Key_Return);
    QCOMPARE(doc.snapshot()->tensor("probabilities").dims, (Dims{8, 10}));
    QTRY_COMPARE(panel.shapeEdit()->text(), QString("8, 3, 64, 64"));
    panel.shapeEdit()->setText("1, 3, x");
    QTest::keyClick(panel.shapeEdit(), Qt::Key_Return);
    QCOMPARE(panel.errorText(), QString());  // "x" is a symbol name
    panel.shapeEdit()->setText("1, 3, -1");
    QTest::keyClick(panel.shapeEdit(), Qt::Key_Return);
    QCOMPARE(panel.errorText(), QString("Shape: a dimension cannot be negative (-1)"));
  }

  void paletteFiltersAndAdds() {
    ModelDocument doc;
    openSample(doc);
    ui::OpPalette palette;
    palette.setDocument(&doc);
    const int all = palette.visibleOpCount();
    QVERIFY(all >= 20);
    palette.filterEdit()->setText("relu");
    QCOMPARE(palette.visibleOpCount(), 2);  // Relu, LeakyRelu
    palette.filterEdit()->setText("pooling");
    QCOMPARE(palette.visibleOpCount(), 4);  // a family name matches all of its ops
    palette.filterEdit()->clear();
    QCOMPARE(palette.visibleOpCount(), all);

    QSignalSpy failed(&palette, &ui::OpPalette::addFailed);
    QVERIFY(!palette.addOp("Sigmoid"));
    QCOMPARE(failed.count(), 1);
    palette.setTargetLayer("head/flatten");
    QSignalSpy added(&palette, &ui::OpPalette::layerAdded);
    palette.filterEdit()->setText("sigm");
    QTest::keyClick(palette.filterEdit(), Qt::Key_Return);  // Sigmoid then HardSigmoid: the first match
    QCOMPARE(added.count(), 1);
    const QString name = added.at(0).at(0).toString();
    QCOMPARE(name, QString("sigmoid"));
    QCOMPARE(inputsOf(doc, "head/fc")[0], std::string("sigmoid"));
  }

  void rendersPanels() {
    ModelDocument doc;
    openSample(doc);
    ui::PropertiesPanel panel;
    panel.setDocument(&doc);
    panel.resize(420, 900);
    panel.showLayer("block1.conv1/conv");
    panel.show();
    QCOMPARE(panel.attributeTable()->rowCount(), 3);  // kernel_shape, pads, strides
    QCOMPARE(panel.statText("elements"), QLocale().toString(2304));
    ui::OpPalette palette;
    palette.setDocument(&doc);
    palette.setTargetLayer("head/flatten");
    palette.resize(320, 600);
    palette.show();
    const QString dir = qEnvironmentVariable("KILN_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
      QTest::qWait(50);  // lets the layouts settle before the grab
      QVERIFY(panel.grab().save(dir + "/properties_layer.png"));
      panel.showTensor("image");
      QTest::qWait(50);
      QVERIFY(panel.grab().save(dir + "/properties_input.png"));
      QVERIFY(palette.grab().save(dir + "/op_palette.png"));
    }
  }
};

QTEST_MAIN(TestDocument)
#include "test_document.moc"
