"""Reference fixtures from Pillow, torchvision and timm for the Java tests.

Run where Pillow, torch, torchvision, timm and safetensors are installed (not on the build machines):
    python3 tools/reference/make_fixtures.py OUTDIR
It writes:
  pil_bilinear.bin      random RGB images and Pillow's BILINEAR resize of each to several sizes
  eval_preprocess.bin   PNG files (gray and RGB) and torchvision's Resize(36)+CenterCrop(32)+ToTensor+Normalize
  timm_vit_pico.safetensors + timm_vit_pico.logits.bin
                        a timm VisionTransformer (16x16 input, patch 4, width 32, depth 2, 2 heads, 10 classes)
                        and its float32 logits on a fixed input batch (input stored too)
  facts.txt             timm's parameter count of deit_tiny_patch16_224, library versions
All binary files are little-endian; formats are documented next to each writer below.
"""
import io
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(20261126)


def i32(*values):
    return struct.pack("<" + "i" * len(values), *values)


# pil_bilinear.bin: int32 count, then per case: int32 w, h, ow, oh; w*h*3 input bytes (RGB, row-major);
# ow*oh*3 output bytes.
cases = []
for n in range(60):
    w, h = int(rng.integers(1, 49)), int(rng.integers(1, 49))
    img = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    if n % 3 == 0:  # smooth images too: gradients and blocks make rounding differences visible
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([(xx * 255 // max(1, w - 1)), (yy * 255 // max(1, h - 1)), ((xx + yy) * 7) % 256], -1).astype(np.uint8)
    targets = {(max(1, w // 2), max(1, h // 2)), (w * 2 + 1, h * 3), (17, 9), (3, 3), (32, 32), (max(1, int(w * 0.7)), h)}
    for ow, oh in sorted(targets):
        res = np.asarray(Image.fromarray(img, "RGB").resize((ow, oh), Image.BILINEAR))
        cases.append((w, h, ow, oh, img.tobytes(), res.tobytes()))
with open(out / "pil_bilinear.bin", "wb") as f:
    f.write(i32(len(cases)))
    for w, h, ow, oh, a, b in cases:
        f.write(i32(w, h, ow, oh))
        f.write(a)
        f.write(b)

# eval_preprocess.bin: int32 count; per case: int32 png length, png bytes, int32 input size (32),
# then 3*32*32 float32 values (CHW) from torchvision.
from torchvision import transforms

tf = transforms.Compose([
    transforms.Resize(36),
    transforms.CenterCrop(32),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])
entries = []
for n in range(24):
    if n % 2 == 0:
        arr = rng.integers(0, 256, size=(28, 28), dtype=np.uint8)  # Fashion-MNIST-like gray
        pil = Image.fromarray(arr, "L")
    else:
        w, h = int(rng.integers(20, 60)), int(rng.integers(20, 60))
        pil = Image.fromarray(rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8), "RGB")
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    png = buf.getvalue()
    tensor = tf(Image.open(io.BytesIO(png)).convert("RGB")).numpy().astype("<f4")
    entries.append((png, tensor))
with open(out / "eval_preprocess.bin", "wb") as f:
    f.write(i32(len(entries)))
    for png, t in entries:
        f.write(i32(len(png)))
        f.write(png)
        f.write(i32(32))
        f.write(t.tobytes())

# timm ViT fixture and its logits on a fixed batch (float32, [4, 10]).
import timm
from timm.models.vision_transformer import VisionTransformer
from safetensors.torch import save_file

torch.manual_seed(0)
vit = VisionTransformer(img_size=16, patch_size=4, embed_dim=32, depth=2, num_heads=2, mlp_ratio=4.0,
                        qkv_bias=True, num_classes=10).eval()
# Non-trivial norms and biases, so the check covers them too.
with torch.no_grad():
    for name, p in vit.named_parameters():
        if name.endswith("bias") or "norm" in name:
            p.add_(torch.randn_like(p) * 0.1)
state = {k: v.contiguous() for k, v in vit.state_dict().items()}
save_file(state, str(out / "timm_vit_pico.safetensors"), metadata={"format": "pt"})
x = torch.linspace(-2, 2, 4 * 3 * 16 * 16).reshape(4, 3, 16, 16)
x = torch.sin(x * 3.7) * 1.5
with torch.no_grad():
    logits = vit(x).numpy().astype("<f4")
with open(out / "timm_vit_pico.logits.bin", "wb") as f:
    # int32 4 dims of the input, the input (float32), int32 2 dims of the logits, the logits
    xs = x.numpy().astype("<f4")
    f.write(i32(*xs.shape))
    f.write(xs.tobytes())
    f.write(i32(*logits.shape))
    f.write(logits.tobytes())

deit = timm.create_model("deit_tiny_patch16_224", pretrained=False)
with open(out / "facts.txt", "w") as f:
    f.write(f"deit_tiny_patch16_224 parameters: {sum(p.numel() for p in deit.parameters())}\n")
    f.write(f"timm {timm.__version__}, torch {torch.__version__}, torchvision {__import__('torchvision').__version__}, "
            f"Pillow {Image.__version__}, numpy {np.__version__}\n")
    f.write("vit_pico keys: " + " ".join(sorted(state)) + "\n")
print((out / "facts.txt").read_text())
