"""Checkpoints written by the reference's own quantized DeiT (HuangOwen/VVTQ), for the Java tests.

Run with Debian's python3-torch (apt-get install python3-torch) and a checkout of the reference:
    /usr/bin/python3 tools/reference/make_vvtq_fixtures.py VVTQ_CHECKOUT OUTDIR
VVTQ_CHECKOUT is the folder holding the reference's quantization/ and utils.py; nothing of it is
copied: its modules are imported from there. timm is not packaged by Debian; when it is missing,
the few timm names DeiT_quant.py imports are provided by a small stand-in written to a temporary
folder (see timm_stand_in below), which is exact for what the fixtures exercise (eval mode, no
pretrained download).

It writes, for each case (name, wbits/abits, --use-offset):
  vvtq_<case>.pth         torch.save of {'epoch', 'arch', 'state_dict' (DDP 'module.' prefix),
                          'best_acc1', 'optimizer'} exactly as train_VVTQ.py's save_checkpoint does
  vvtq_<case>.logits.bin  int32 4 dims of the input, the input (float32, NCHW), int32 2 dims of the
                          logits, the reference model's eval-mode logits (float32); little-endian
  vvtq_facts.txt          library versions, the config, and every state_dict key with its shape
  torch_legacy_views.pth, torch_zip_views.pth
                          {'epoch': 2, 'state_dict': OrderedDict(w=arange(12).reshape(3, 4), row=w[1],
                          wt=w.t(), n=[4.], i=int64 [1, -2, 3])} in the legacy (pre-1.6) and the zip
                          format: views sharing a storage, an offset, transposed strides
The model: QuantVisionTransformer with 8x8 input, patch 4, width 12, depth 2, 2 heads, MLP ratio 4,
qkv bias, LayerNorm eps 1e-6, 10 classes; weights random (seeded) with perturbed biases and norms;
weight steps by the reference's MSE initialisation, activation steps by its lazy initialisation on
one calibration batch; then every step vector is scaled and every offset moved at random (all seven
bit-width entries), so that the checkpoints have learned-looking values at every index.
"""
import io
import struct
import sys
import tempfile
import textwrap
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

checkout = Path(sys.argv[1]).resolve()
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)


def timm_stand_in():
    """The timm names quantization/DeiT_quant.py imports, for a machine without timm."""
    root = Path(tempfile.mkdtemp(prefix="timm-stand-in-"))
    files = {
        "timm/__init__.py": "",
        "timm/data/__init__.py": "IMAGENET_DEFAULT_MEAN = (0.485, 0.456, 0.406)\nIMAGENET_DEFAULT_STD = (0.229, 0.224, 0.225)\n",
        "timm/models/__init__.py": "",
        "timm/models/helpers.py": "def load_pretrained(*a, **k):\n    raise RuntimeError('no pretrained weights here')\n",
        "timm/models/resnet.py": "def resnet26d(*a, **k):\n    raise RuntimeError('unused')\nresnet50d = resnet26d\n",
        "timm/models/registry.py": "def register_model(fn):\n    return fn\n",
        # DropPath is the identity in eval mode, which is all the fixtures run.
        "timm/models/layers.py": textwrap.dedent("""\
            import collections.abc
            import torch.nn as nn
            from torch.nn.init import trunc_normal_
            def to_2tuple(x):
                return tuple(x) if isinstance(x, collections.abc.Iterable) else (x, x)
            class DropPath(nn.Module):
                def __init__(self, p=0.):
                    super().__init__()
                    self.p = p
                def forward(self, x):
                    assert not self.training, 'stand-in DropPath runs in eval mode only'
                    return x
            """),
    }
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


try:
    import timm  # noqa: F401
    timm_version = timm.__version__
except ImportError:
    sys.path.insert(0, str(timm_stand_in()))
    timm_version = "not installed (stand-in)"
sys.path.insert(0, str(checkout))
from quantization import DeiT_quant  # noqa: E402
from quantization.lsq_layer import QuantAct, QuantConv2d, QuantLinear  # noqa: E402


def i32(*values):
    return struct.pack("<" + "i" * len(values), *values)


def build(bits, offset):
    return DeiT_quant.QuantVisionTransformer(
        img_size=8, patch_size=4, in_chans=3, num_classes=10, embed_dim=12, depth=2, num_heads=2, mlp_ratio=4,
        qkv_bias=True, norm_layer=partial(nn.LayerNorm, eps=1e-6), drop_path_rate=0.1,
        wbits=bits, abits=bits, offset=offset, learned=True, mixpre=False)


cases = [("w4a4", 4, False), ("w4a4_offset", 4, True), ("w2a2_offset", 2, True)]
facts = [f"torch {torch.__version__}, numpy {np.__version__}, timm {timm_version}",
         "model: QuantVisionTransformer img 8, patch 4, embed 12, depth 2, heads 2, mlp 4, classes 10"]
for index, (name, bits, offset) in enumerate(cases):
    torch.manual_seed(100 + index)
    g = torch.Generator().manual_seed(200 + index)
    model = build(bits, offset)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname == "head.weight":
                p.mul_(20.0)  # std 0.4: logits that differ between images, not the head's bias
            elif ".norm" in pname or pname.startswith("norm."):
                p.add_(torch.randn(p.shape, generator=g) * 0.1)
            elif pname.endswith("bias"):
                # small: a large common bias would give every image the same top-1
                p.add_(torch.randn(p.shape, generator=g) * 0.02)
            elif pname.endswith("weight"):
                p.mul_(4.0)  # std 0.08: weights large enough that low-bit rounding matters
    for m in model.modules():
        if isinstance(m, (QuantLinear, QuantConv2d)) and m.alpha is not None:
            m.initialize_scale("cpu")
    calibration = torch.randn(16, 3, 8, 8, generator=g)
    model.eval()
    with torch.no_grad():
        model(calibration)  # lazy activation-step initialisation
        for m in model.modules():
            if isinstance(m, (QuantLinear, QuantConv2d, QuantAct)) and m.alpha is not None:
                m.alpha.mul_(torch.exp(torch.randn(7, generator=g) * 0.2))
                if getattr(m, "offset", False):
                    m.beta.copy_(torch.randn(7, generator=g) * 0.1)
    x = torch.randn(12, 3, 8, 8, generator=g) * 2.0
    with torch.no_grad():
        logits = model(x)
    # An optimizer as train_VVTQ.py builds it (timm's create_optimizer: AdamW, bias/1-d params without
    # weight decay), never stepped: its state would triple the file for nothing the import reads.
    decay = [p for n, p in model.named_parameters() if p.requires_grad and not (p.ndim == 1 or n.endswith(".bias"))]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (p.ndim == 1 or n.endswith(".bias"))]
    optimizer = torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": 1e-4}],
                                  lr=5e-4, eps=1e-8)
    # DataParallel's state_dict (an OrderedDict with _metadata, keys prefixed 'module.') is what the
    # reference's DDP/DataParallel training saves; on a machine without GPUs it just wraps the model.
    state = torch.nn.DataParallel(model).state_dict()
    torch.save({"epoch": 3, "arch": "deit_tiny_patch16_224_quant", "state_dict": state,
                "best_acc1": torch.tensor(12.5), "optimizer": optimizer.state_dict()},
               out / f"vvtq_{name}.pth")
    with open(out / f"vvtq_{name}.logits.bin", "wb") as f:
        xs = x.numpy().astype("<f4")
        ls = logits.numpy().astype("<f4")
        f.write(i32(*xs.shape))
        f.write(xs.tobytes())
        f.write(i32(*ls.shape))
        f.write(ls.tobytes())
    facts.append(f"{name}: wbits=abits={bits} offset={offset}; top-1 {logits.argmax(1).tolist()}")
    facts.extend(f"  {k} {list(v.shape)} {str(v.dtype)}" for k, v in state.items())
import collections  # noqa: E402

w = torch.arange(12, dtype=torch.float32).reshape(3, 4)
views = collections.OrderedDict(w=w, row=w[1], wt=w.t(), n=torch.tensor([4.0]),
                                i=torch.tensor([1, -2, 3], dtype=torch.int64))
torch.save({"epoch": 2, "state_dict": views}, out / "torch_legacy_views.pth", _use_new_zipfile_serialization=False)
torch.save({"epoch": 2, "state_dict": views}, out / "torch_zip_views.pth")
(out / "vvtq_facts.txt").write_text("\n".join(facts) + "\n")
print("\n".join(facts[:5]))
