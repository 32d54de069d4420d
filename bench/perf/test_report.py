"""Tests of the benchmark report on made-up rows (python3 -m unittest, from bench/perf)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402
import results  # noqa: E402


def row(model, batch, precision, mode, median_ms, **extra):
    return {"model": model, "batch": batch, "precision": precision, "mode": mode, "median_ms": median_ms,
            "items_per_s": batch * 1000.0 / median_ms, **extra}


ROWS = [
    row("resnet50", 256, "fp16", "eager", 100.0, variant="channels_last", rel_l2=2e-3),
    row("resnet50", 256, "fp16", "max-autotune", 80.0, compile_s=300.0, rel_l2=2e-3, conv_backends="ATEN"),
    row("resnet50", 256, "fp16", "kiln", 50.0, rel_l2=3e-3, build_s=40.0, warm_build_s=4.0,
        warm_cache_hits=120, warm_cache_misses=0),
    row("resnet50", 1, "fp16", "eager", 4.0, variant="nchw", rel_l2=2e-3),
    row("resnet50", 1, "fp16", "max-autotune", 1.0, compile_s=90.0, rel_l2=2e-3),
    row("resnet50", 1, "fp16", "kiln", 0.8, rel_l2=2e-2, build_s=70.0, warm_build_s=12.0),
    {"model": "bert", "batch": 64, "precision": "fp16", "mode": "max-autotune", "error": "timed out after 540 s"},
    row("bert", 64, "fp16", "eager", 40.0, variant="sdpa", rel_l2=1e-3),
    row("bert", 64, "fp16", "kiln", 25.0, rel_l2=1e-3, build_s=20.0),
    row("mobilenetv2", 256, "tf32", "eager", 30.0, variant="nchw", rel_l2=5e-4),
    row("mobilenetv2", 256, "tf32", "kiln", 20.0, rel_l2=2e-3, build_s=10.0),
]


def load(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    try:
        return results.load(f.name)
    finally:
        os.remove(f.name)


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.rows = load([json.dumps(r) for r in ROWS])

    def test_throughput_against_the_best_mode(self):
        c = report.compare(self.rows, "resnet50", 256, "fp16")
        self.assertAlmostEqual(c["throughput_ratio"], 80.0 / 50.0)  # max-autotune is the best
        self.assertTrue(c["target"])  # 1.6 >= 1.5
        self.assertTrue(c["rel_l2_ok"])

    def test_latency_target_at_batch_1(self):
        c = report.compare(self.rows, "resnet50", 1, "fp16")
        self.assertAlmostEqual(c["latency_ratio"], 0.8)
        self.assertFalse(c["target"])  # 0.8 > 0.75
        self.assertFalse(c["rel_l2_ok"])  # 2e-2 > 1e-2

    def test_a_verdict_without_every_mode_says_which_it_had(self):
        c = report.compare(self.rows, "bert", 64, "fp16")
        self.assertEqual(c["measured_peers"], ["eager"])
        line = next(l for l in report.table(self.rows, "fp16", "FP16", 1e-2) if l.startswith("| BERT-base s128 | 64"))
        self.assertIn("1.60x items/s (vs eager only)", line)
        self.assertIn("items/s >= 1.5x: yes (vs eager only)", line)
        full = next(l for l in report.table(self.rows, "fp16", "FP16", 1e-2) if l.startswith("| ResNet-50 | 256"))
        self.assertNotIn("only", full)

    def test_an_error_row_is_not_a_peer(self):
        c = report.compare(self.rows, "bert", 64, "fp16")
        self.assertAlmostEqual(c["throughput_ratio"], 40.0 / 25.0)
        self.assertTrue(c["target"])

    def test_tf32_has_no_target_and_a_tighter_limit(self):
        c = report.compare(self.rows, "mobilenetv2", 256, "tf32")
        self.assertAlmostEqual(c["throughput_ratio"], 1.5)
        self.assertIsNone(c["target"])
        self.assertFalse(c["rel_l2_ok"])  # 2e-3 > 1e-3

    def test_missing_rows(self):
        c = report.compare(self.rows, "mobilenetv2", 1, "fp16")
        self.assertIsNone(c["throughput_ratio"])
        self.assertIsNone(c["target"])

    def test_a_later_error_does_not_replace_a_result(self):
        ok = row("bert", 1, "fp16", "eager", 5.0)
        rows = load([json.dumps(ok), json.dumps({**ok, "median_ms": None, "error": "x"}), "not json", ""])
        self.assertEqual(rows[("bert", "1", "fp16", "eager")]["median_ms"], 5.0)
        rows = load([json.dumps({**ok, "error": "x"}), json.dumps(ok)])
        self.assertNotIn("error", rows[("bert", "1", "fp16", "eager")])

    def test_each_precision_from_its_own_run(self):
        tf32_run = load([json.dumps(row("mobilenetv2", 256, "tf32", "max-autotune", 10.0, rel_l2=4e-4)),
                         json.dumps(row("mobilenetv2", 256, "tf32", "kiln", 40.0, rel_l2=2e-4, build_s=9.0)),
                         json.dumps(row("resnet50", 256, "fp16", "kiln", 1.0, rel_l2=3e-3))])
        text = report.render(self.rows, {"date": "day A", "gpu": "GPU A"},
                             {"tf32": (tf32_run, {"date": "day B", "gpu": "GPU B"})})
        self.assertIn("Measured in 2 runs", text)
        self.assertIn("**FP16 rows**, measured day A:", text)
        self.assertIn("**FP32 (TF32 allowed) rows**, measured day B:", text)
        self.assertIn("- Device: GPU B", text)
        tf32 = text[text.index("## FP32"):]
        self.assertIn("| MobileNetV2 | 256 | not run |  | 10.00 | 25,600 |", tf32)  # run B's rows, not run A's
        self.assertIn("0.25x items/s (vs max-autotune only)", tf32)
        fp16 = text[text.index("## FP16"):text.index("## FP32")]
        self.assertIn("| 50.00 | 5,120 |", fp16)  # the FP16 table keeps run A's Kiln row
        one = report.render(self.rows, {"date": "day A"})
        self.assertIn("Measured day A;", one)
        self.assertNotIn("runs, each", one)

    def test_markdown(self):
        text = report.render(self.rows, {"gpu": "NVIDIA H100 80GB HBM3", "driver": "570.1", "torch": "2.11.0"})
        self.assertIn("NVIDIA H100 80GB HBM3", text)
        self.assertIn("| ResNet-50 | 256 | 100.0 (channels_last) | 2,560 | 80.00 | 3,200 | 300 | 50.00 | 5,120 "
                      "| 1.60x items/s | 40.0 | 3.0e-03 pass |", text)
        self.assertIn("1.25x items/s, 0.80x latency", text)
        self.assertIn("latency <= 0.75x: **no**", text)
        self.assertIn("error: timed out after 540 s", text)
        self.assertIn("autotuned their convolutions over ATEN", text)
        self.assertIn("| MobileNetV2 | 1 | not run |", text)
        self.assertIn("- batch 256: cold 40.0 s (yes); warm 4.0 s (yes), timing cache 120 hits, 0 misses", text)
        self.assertIn("- batch 1: cold 70.0 s (**no**); warm 12.0 s (**no**)", text)
        columns = None
        for line in text.splitlines():  # every table row has its header's column count
            if line.startswith("| Model"):
                columns = line.count("|")
            elif line.startswith("|"):
                self.assertEqual(line.count("|"), columns, line)


if __name__ == "__main__":
    unittest.main()
