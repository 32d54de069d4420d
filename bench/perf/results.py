#!/usr/bin/env python3
"""The benchmark's results file: one JSON object a line, appended by run.sh.

A row is keyed by model, batch, precision and mode; a later row replaces an
earlier one, but a row with an "error" never replaces one without. Used by
report.py, and by run.sh from the command line:

    results.py done FILE MODEL BATCH PRECISION MODE   exit 0 when the row is there without an error
    results.py error MODEL BATCH PRECISION MODE TEXT  prints an error row
    results.py device FILE                            writes the device and versions (GPU machine)
No dependencies beyond the standard library.
"""
import datetime
import json
import os
import subprocess
import sys

KEY = ("model", "batch", "precision", "mode")


def key(row):
    return tuple(str(row.get(k)) for k in KEY)


def load(path):
    """The latest row per key, preferring rows without an error."""
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            old = rows.get(key(row))
            if old is None or "error" in row and "error" in old or "error" not in row:
                rows[key(row)] = row
    return rows


def error_row(model, batch, precision, mode, text):
    return {"model": model, "batch": int(batch), "precision": precision, "mode": mode, "error": text}


def device_info():
    """GPU, driver and library versions of this machine; $KILN is the kiln binary."""
    def sh(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError) as e:
            return f"unavailable: {e}"

    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    smi = sh("nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader")
    parts = [p.strip() for p in smi.splitlines()[0].split(",")] if smi else []
    if len(parts) == 3:
        info.update(gpu=parts[0], driver=parts[1], gpu_memory=parts[2])
    else:
        info["nvidia_smi"] = smi
    info["cpus"] = os.cpu_count()
    info["python"] = sys.version.split()[0]
    for name in ("torch", "torchvision", "transformers", "onnx", "numpy"):
        try:
            info[name] = __import__(name).__version__
        except Exception as e:  # a missing library is worth a line, not a failure
            info[name] = f"unavailable: {type(e).__name__}"
    try:
        import torch

        info.update(cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version())
    except Exception:
        pass
    if os.environ.get("KILN"):
        info["kiln"] = " ".join(sh(os.environ["KILN"], "--version").split())
    return info


def main(argv):
    if argv[:1] == ["done"] and len(argv) == 6:
        if not os.path.exists(argv[1]):
            return 1
        row = load(argv[1]).get(tuple(argv[2:6]))
        return 0 if row is not None and "error" not in row else 1
    if argv[:1] == ["error"] and len(argv) == 6:
        print(json.dumps(error_row(*argv[1:6])))
        return 0
    if argv[:1] == ["device"] and len(argv) == 2:
        with open(argv[1], "w") as f:
            json.dump(device_info(), f, indent=1)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
