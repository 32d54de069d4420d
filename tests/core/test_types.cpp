// Element types, narrow-float codecs, dims and host tensors.
#include <QtTest>

#include <cmath>

#include "kiln/kernels/numeric.h"
#include "kiln/types.h"
#include "ops/common.h"

using namespace kiln;
using kernels::BFloat16;
using kernels::Float8E4M3;
using kernels::Float8E5M2;
using kernels::Half;

class TestTypes : public QObject {
  Q_OBJECT
 private slots:
  void halfRoundTripsKnownValues() {
    QCOMPARE(Half(1.0f).bits, uint16_t(0x3c00));
    QCOMPARE(Half(-2.0f).bits, uint16_t(0xc000));
    QCOMPARE(Half(65504.0f).bits, uint16_t(0x7bff));
    QCOMPARE(Half(1e6f).bits, uint16_t(0x7c00));                 // overflows to inf
    QCOMPARE(Half(5.9604645e-8f).bits, uint16_t(0x0001));        // smallest subnormal
    QCOMPARE(float(Half::toFloat(0x3555)), 0.33325195f);
    QCOMPARE(Half(1.0f + 1.0f / 2048).bits, uint16_t(0x3c00));   // tie rounds to even
    QCOMPARE(Half(1.0f + 3.0f / 2048).bits, uint16_t(0x3c02));
    QVERIFY(std::isnan(float(Half(NAN))));
  }
  void bfloat16RoundsToNearestEven() {
    QCOMPARE(BFloat16(1.0f).bits, uint16_t(0x3f80));
    QCOMPARE(BFloat16(3.140625f).bits, uint16_t(0x4049));
    QCOMPARE(float(BFloat16(1.00390625f)), 1.0f);  // exactly half an ulp: ties to even
    QVERIFY(std::isnan(float(BFloat16(NAN))));
  }
  void float8MatchesTheOcpFormats() {
    QCOMPARE(Float8E4M3(1.0f).bits, uint8_t(0x38));
    QCOMPARE(Float8E4M3(448.0f).bits, uint8_t(0x7e));
    QCOMPARE(Float8E4M3(1000.0f).bits, uint8_t(0x7e));              // saturates
    QCOMPARE(Float8E4M3(1000.0f, false).bits, uint8_t(0x7f));       // NaN without saturation
    QCOMPARE(float(Float8E4M3(0.001953125f)), 0.001953125f);        // smallest subnormal 2^-9
    QCOMPARE(Float8E5M2(1.0f).bits, uint8_t(0x3c));
    QCOMPARE(Float8E5M2(57344.0f).bits, uint8_t(0x7b));
    QCOMPARE(Float8E5M2(1e6f, false).bits, uint8_t(0x7c));          // inf without saturation
    QCOMPARE(float(Float8E5M2(-3.0f)), -3.0f);
  }
  void dimsPrintSymbols() {
    Dims d;
    d.d = {Dim::symbolic("batch"), Dim(3), Dim(), Dim(224)};
    QCOMPARE(QString::fromStdString(d.str()), QString("batchx3x?x224"));
    QVERIFY(!d.allKnown());
    QCOMPARE(d.numel(), int64_t(-1));
    QCOMPARE(QString::fromStdString(Dims{}.str()), QString("scalar"));
    QCOMPARE(QString::fromStdString(Dims::unknownRank().str()), QString("?"));
    QCOMPARE(Dims({2, 3, 4}).numel(), int64_t(24));
  }
  void hostTensorCastsLikeOnnx() {
    HostTensor f = HostTensor::fromDoubles(DataType::kFloat32, {4}, {1.7, -1.7, 300.0, 0.0});
    HostTensor i = f.castTo(DataType::kInt32);
    QCOMPARE(i.toInt64Vector(), (std::vector<int64_t>{1, -1, 300, 0}));  // truncation toward zero
    HostTensor b = f.castTo(DataType::kBool);
    QCOMPARE(b.toInt64Vector(), (std::vector<int64_t>{1, 1, 1, 0}));
    HostTensor wide = HostTensor::fromInt64s({257, -1});
    QCOMPARE(wide.castTo(DataType::kUInt8).toInt64Vector(), (std::vector<int64_t>{1, 255}));  // wraps
    QVERIFY_THROWS_EXCEPTION(Error, f.reshape({3}));
  }
  void broadcastOffsetsFollowNumpy() {
    // out 2x3 from in 3 (row broadcast) and in 2x1 (column broadcast)
    QCOMPARE(ops::broadcastOffsets({2, 3}, {3}), (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
    QCOMPARE(ops::broadcastOffsets({2, 3}, {2, 1}), (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));
    QCOMPARE(ops::broadcastOffsets({2, 3}, {}), (std::vector<int64_t>(6, 0)));
  }
};

QTEST_APPLESS_MAIN(TestTypes)
#include "test_types.moc"
