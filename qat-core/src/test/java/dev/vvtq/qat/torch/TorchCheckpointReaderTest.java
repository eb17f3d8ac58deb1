package dev.vvtq.qat.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch.save files read back, written ones read again, and malicious pickles refused. */
class TorchCheckpointReaderTest {
  @TempDir Path dir;

  static byte[] resource(String name) throws Exception {
    try (InputStream in = TorchCheckpointReaderTest.class.getResourceAsStream("/reference/" + name)) {
      assertTrue(in != null, "missing test resource " + name);
      return in.readAllBytes();
    }
  }

  @Test
  void readsACheckpointWrittenByTorchSave() throws Exception {
    Path f = dir.resolve("ckpt.pth");
    Files.write(f, resource("vvtq_w4a4.pth"));
    Map<?, ?> root = (Map<?, ?>) TorchCheckpointReader.read(f);
    assertEquals(List.of("epoch", "arch", "state_dict", "best_acc1", "optimizer"), List.copyOf(root.keySet()));
    assertEquals(3, root.get("epoch"));
    Map<?, ?> state = assertInstanceOf(PyOrderedDict.class, root.get("state_dict"));
    TorchTensor w = (TorchTensor) state.get("module.patch_embed.proj.weight");
    assertArrayEquals(new long[] {12, 3, 4, 4}, w.shape());
    TorchTensor nbits = (TorchTensor) state.get("module.blocks.0.attn.proj_q.nbits");
    assertArrayEquals(new float[] {4f}, nbits.floats());
    TorchTensor best = (TorchTensor) root.get("best_acc1");
    assertArrayEquals(new long[0], best.shape());
    assertArrayEquals(new float[] {12.5f}, best.floats());
  }

  @Test
  void whatItWritesReadsBackTheSame() throws Exception {
    PyOrderedDict state = new PyOrderedDict();
    state.put("a.weight", TorchTensor.ofFloats(new long[] {2, 3}, new float[] {1, -2, 3.5f, 4, 5, Float.MIN_VALUE}));
    state.put("a.nbits", TorchTensor.ofFloats(new long[] {1}, new float[] {4}));
    Map<String, Object> root = new java.util.LinkedHashMap<>();
    root.put("epoch", 70000);
    root.put("big", 1L << 40);
    root.put("neg", -3);
    root.put("state_dict", state);
    root.put("groups", List.of(Map.of("betas", new Object[] {0.9, 0.999}, "amsgrad", false, "fused", "x")));
    root.put("none", null);
    Path f = dir.resolve("out.pth");
    TorchCheckpointWriter.write(f, "out", root);
    Map<?, ?> back = (Map<?, ?>) TorchCheckpointReader.read(f);
    assertEquals(70000, back.get("epoch"));
    assertEquals(1L << 40, back.get("big"));
    assertEquals(-3, back.get("neg"));
    assertTrue(back.containsKey("none"));
    Map<?, ?> s = assertInstanceOf(PyOrderedDict.class, back.get("state_dict"));
    assertEquals(List.of("a.weight", "a.nbits"), List.copyOf(s.keySet()));
    assertArrayEquals(((TorchTensor) state.get("a.weight")).bytes(), ((TorchTensor) s.get("a.weight")).bytes());
    Map<?, ?> g = (Map<?, ?>) ((List<?>) back.get("groups")).get(0);
    assertArrayEquals(new Object[] {0.9, 0.999}, (Object[]) g.get("betas"));
    assertEquals(false, g.get("amsgrad"));
    byte[] again = Files.readAllBytes(f);
    TorchCheckpointWriter.write(f, "out", root);
    assertArrayEquals(again, Files.readAllBytes(f), "the same values give the same file");
  }

  @Test
  void storageDataIsAlignedTo64BytesAsTorchAlignsIt() throws Exception {
    PyOrderedDict state = new PyOrderedDict();
    for (int i = 0; i < 5; i++) {
      state.put("t" + i, TorchTensor.ofFloats(new long[] {i + 1}, new float[i + 1]));
    }
    Path f = dir.resolve("aligned.pth");
    TorchCheckpointWriter.write(f, "aligned", state);
    byte[] b = Files.readAllBytes(f);
    int found = 0;
    for (int at = 0; at + 30 < b.length; at++) {
      if (b[at] == 'P' && b[at + 1] == 'K' && b[at + 2] == 3 && b[at + 3] == 4) {
        int nameLen = (b[at + 26] & 0xFF) | (b[at + 27] & 0xFF) << 8;
        int extraLen = (b[at + 28] & 0xFF) | (b[at + 29] & 0xFF) << 8;
        String name = new String(b, at + 30, nameLen, StandardCharsets.UTF_8);
        if (name.contains("/data/")) {
          assertEquals(0, (at + 30 + nameLen + extraLen) % 64, name + " data offset");
          found++;
        }
      }
    }
    assertEquals(5, found);
  }

  /** A zip holding {@code data.pkl} as given, as torch.save lays it out. */
  private Path archive(String name, byte[] pickle) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(new ZipEntry("evil/data.pkl"));
      z.write(pickle);
      z.closeEntry();
    }
    Path f = dir.resolve(name);
    Files.write(f, bytes.toByteArray());
    return f;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void refusesAGlobalThatWouldRunCode() throws Exception {
    // What `class X: __reduce__ = lambda s: (os.system, ('touch pwned',))` pickles to (protocol 0).
    Path f = archive("system.pth", ascii("cposix\nsystem\n(Vtouch pwned\ntR."));
    DisallowedPickleException e = assertThrows(DisallowedPickleException.class, () -> TorchCheckpointReader.read(f));
    assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
    Path g = archive("eval.pth", ascii("\u0080\u0002cbuiltins\neval\nX\u0004\u0000\u0000\u00001+1\u0085R."));
    e = assertThrows(DisallowedPickleException.class, () -> TorchCheckpointReader.read(g));
    assertTrue(e.getMessage().contains("'builtins.eval'"), e.getMessage());
  }

  @Test
  void refusesStackGlobalInstAndObjOutsideTheAllowList() throws Exception {
    // Protocol 4 STACK_GLOBAL of subprocess.Popen.
    byte[] p4 = ascii("\u0080\u0004\u008c\nsubprocess\u008c\u0005Popen\u0093).");
    Path f = archive("stack.pth", p4);
    DisallowedPickleException e = assertThrows(DisallowedPickleException.class, () -> TorchCheckpointReader.read(f));
    assertTrue(e.getMessage().contains("'subprocess.Popen'"), e.getMessage());
    Path inst = archive("inst.pth", ascii("(S'ls'\nios\nsystem\n."));
    e = assertThrows(DisallowedPickleException.class, () -> TorchCheckpointReader.read(inst));
    assertTrue(e.getMessage().contains("opcode i"), e.getMessage());
    Path obj = archive("obj.pth", ascii("\u0080\u0002(cos\nsystem\no."));
    e = assertThrows(DisallowedPickleException.class, () -> TorchCheckpointReader.read(obj));
    assertTrue(e.getMessage().contains("'os.system'"), e.getMessage());
  }

  @Test
  void refusesSetstateOnAnythingButAStateDictsOrderedDict() throws Exception {
    // An OrderedDict given attributes other than _metadata, through BUILD.
    Path f = archive("build.pth", ascii("\u0080\u0002ccollections\nOrderedDict\n)R}X\u0007\u0000\u0000\u0000__class"
        + "K\u0001sb."));
    DisallowedPickleException e = assertThrows(DisallowedPickleException.class, () -> TorchCheckpointReader.read(f));
    assertTrue(e.getMessage().contains("BUILD"), e.getMessage());
  }

  @Test
  void readsTheLegacyFormatAndViewsWithOffsetsAndStridesAsTheZipFormat() throws Exception {
    for (String name : new String[] {"torch_legacy_views.pth", "torch_zip_views.pth"}) {
      Path f = dir.resolve(name);
      Files.write(f, resource(name));
      Map<?, ?> root = (Map<?, ?>) TorchCheckpointReader.read(f);
      assertEquals(2, root.get("epoch"), name);
      Map<?, ?> s = (Map<?, ?>) root.get("state_dict");
      assertEquals(List.of("w", "row", "wt", "n", "i"), List.copyOf(s.keySet()), name);
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, ((TorchTensor) s.get("w")).floats(), name);
      assertArrayEquals(new float[] {4, 5, 6, 7}, ((TorchTensor) s.get("row")).floats(), name);
      assertArrayEquals(new long[] {4, 3}, ((TorchTensor) s.get("wt")).shape(), name);
      assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, ((TorchTensor) s.get("wt")).floats(), name);
      TorchTensor i = (TorchTensor) s.get("i");
      assertEquals(TorchDtype.INT64, i.dtype());
      java.nio.LongBuffer lb = java.nio.ByteBuffer.wrap(i.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer();
      assertEquals(List.of(1L, -2L, 3L), List.of(lb.get(0), lb.get(1), lb.get(2)), name);
    }
  }

  @Test
  void aTruncatedLegacyFileSaysSo() throws Exception {
    byte[] all = resource("torch_legacy_views.pth");
    Path f = dir.resolve("cut.pth");
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> TorchCheckpointReader.read(f));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

}
