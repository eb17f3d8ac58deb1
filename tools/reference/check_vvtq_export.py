"""Loads a checkpoint written by `vvtq export-vvtq` into the reference's own model, as its --resume does.

    /usr/bin/python3 tools/reference/check_vvtq_export.py VVTQ_CHECKOUT FILE.pth FIXTURE_LOGITS.bin BITS [--use-offset]

Builds the fixture architecture of make_vvtq_fixtures.py (8x8, patch 4, width 12, depth 2, 2 heads,
10 classes) with the reference's QuantVisionTransformer, wraps it in DataParallel as train_VVTQ.py
does without --gpu, then does what its --resume does: model.load_state_dict(ckpt['state_dict'])
(strict) and optimizer.load_state_dict(ckpt['optimizer']) on timm-style AdamW groups; finally
compares its eval logits with the fixture's. Exits non-zero on any difference.
"""
import struct
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
checkout, file, logits_file, bits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
offset = "--use-offset" in sys.argv
sys.argv = [sys.argv[0], checkout, "/tmp"]  # make_vvtq_fixtures' imports read argv; nothing is written
import importlib.util  # noqa: E402

spec = importlib.util.spec_from_file_location("fixtures", Path(__file__).resolve().parent / "make_vvtq_fixtures.py")
src = spec.loader.get_source("fixtures")
# Only the import prologue and build(): stop before the fixture loop.
ns = {}
exec(compile(src.split("cases = [")[0], "make_vvtq_fixtures.py", "exec"), ns)
model = ns["build"](bits, offset)
wrapped = torch.nn.DataParallel(model)
decay = [p for n, p in wrapped.named_parameters() if p.requires_grad and not (p.ndim == 1 or n.endswith(".bias"))]
no_decay = [p for n, p in wrapped.named_parameters() if p.requires_grad and (p.ndim == 1 or n.endswith(".bias"))]
optimizer = torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": 1e-4}], lr=5e-4)
ckpt = torch.load(file, map_location="cpu")
wrapped.load_state_dict(ckpt["state_dict"])
optimizer.load_state_dict(ckpt["optimizer"])
b = open(logits_file, "rb").read()
shape = struct.unpack("<4i", b[:16])
n = int(np.prod(shape))
x = torch.from_numpy(np.frombuffer(b[16:16 + 4 * n], dtype="<f4").reshape(shape).copy())
expected = np.frombuffer(b[16 + 4 * n + 8:], dtype="<f4").reshape(shape[0], -1)
model.eval()
with torch.no_grad():
    got = model(x).numpy()
diff = float(np.abs(got - expected).max())
print(f"{file}: strict state_dict and optimizer load OK; epoch {ckpt['epoch']}, max |logit diff| {diff:.3g}")
sys.exit(0 if diff < 1e-5 else 1)
