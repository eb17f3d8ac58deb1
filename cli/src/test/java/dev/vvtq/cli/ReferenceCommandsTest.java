package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.engine.EngineOptions;
import dev.vvtq.engine.IntDeit;
import dev.vvtq.engine.model.ExportedModel;
import dev.vvtq.engineeval.CalibratedModels;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.export.IntegerModelExporter;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.IntegerModelView;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.reference.ReferenceExport;
import dev.vvtq.qat.reference.ReferenceFixtures;
import dev.vvtq.qat.reference.ReferenceImport;
import dev.vvtq.qat.torch.TorchCheckpointReader;
import dev.vvtq.qat.torch.TorchTensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vvtq import-vvtq} and {@code export-vvtq}: a reference-format checkpoint into the store,
 * scored and exported by the usual commands, and written back with the same tensors; the reference's
 * own W4A4 fixture through the integer engine gives the reference's top-1.
 */
class ReferenceCommandsTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static String accLine(String output) {
    return output.lines().filter(l -> l.startsWith(" * Acc@1")).findFirst().orElseThrow(() -> new AssertionError(output));
  }

  @Test
  void importedCheckpointIsScoredExportedAndWrittenBackUnchanged() throws Exception {
    Path data = dir.resolve("data");
    PipelineCommandTest.images(data.resolve("train"), 4, 1);
    PipelineCommandTest.images(data.resolve("val"), 3, 2);
    DeitConfig c = DeitModels.get("deit_pico_patch4_16", 4, 4).withNumClasses(6);
    ImageFolder train = ImageFolder.split(data, "train");
    List<dev.vvtq.imaging.RgbImage> calibration = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      calibration.add(train.load(i));
    }
    Path pth = dir.resolve("reference.pth");
    Path ours = dir.resolve("ours.safetensors");
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit model = CalibratedModels.random(c, 3, 8,
            CalibratedModels.preprocess(calibration, c.evalPreprocessor()), calibration.size(), m)) {
      ReferenceExport.write(model, null, ReferenceExport.Options.defaults(), pth);
      ModelWeights.save(model, ours);
    }
    String store = dir.resolve("store").toString();
    assertEquals(0, run("import-vvtq", "--file", pth.toString(), "--model", "deit_pico_patch4_16_quant",
        "--run-id", "ref", "--data", data.toString(), "--store", store), err.toString());
    assertTrue(out.toString().contains("W4A4 (6 classes)"), out.toString());
    assertEquals(0, run("import-vvtq", "--file", pth.toString(), "--model", "deit_pico_patch4_16", "--run-id", "ref",
        "--store", store) == 0 ? 1 : 0, "a second import into the same run is refused");

    out.getBuffer().setLength(0);
    assertEquals(0, run("evaluate", "--resume", "runs/ref@best", "--data", data.toString(), "--store", store), err.toString());
    String imported = accLine(out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, run("evaluate", "--resume", ours.toString(), "--data", data.toString(), "--store", store), err.toString());
    assertEquals(accLine(out.toString()), imported, "the imported checkpoint scores as the model it came from");

    assertEquals(0, run("export", "--resume", "runs/ref@best", "--name", "ref", "--store", store), err.toString());
    assertTrue(Files.exists(dir.resolve("store/models/ref/1/model.safetensors")));

    Path back = dir.resolve("back.pth");
    assertEquals(0, run("export-vvtq", "--resume", "runs/ref@best", "--out", back.toString(), "--store", store),
        err.toString());
    Map<?, ?> a = (Map<?, ?>) ((Map<?, ?>) TorchCheckpointReader.read(pth)).get("state_dict");
    Map<?, ?> b = (Map<?, ?>) ((Map<?, ?>) TorchCheckpointReader.read(back)).get("state_dict");
    assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
    for (Object k : a.keySet()) {
      assertArrayEquals(((TorchTensor) a.get(k)).bytes(), ((TorchTensor) b.get(k)).bytes(), k.toString());
    }
  }

  @Test
  void aMaliciousCheckpointIsRefusedNamingTheGlobal() throws Exception {
    Path evil = dir.resolve("evil.pth");
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(evil))) {
      z.putNextEntry(new java.util.zip.ZipEntry("evil/data.pkl"));
      z.write("cposix\nsystem\n(Vtouch pwned\ntR.".getBytes(StandardCharsets.ISO_8859_1));
      z.closeEntry();
    }
    assertNotEquals(0, run("import-vvtq", "--file", evil.toString(), "--model", "deit_pico_patch4_16", "--run-id", "x",
        "--store", dir.resolve("store").toString()));
    assertTrue(err.toString().contains("posix.system"), err.toString());
  }

  @Test
  void theReferencesW4a4FixtureRunsOnTheIntegerEngineWithItsTop1() throws Exception {
    ReferenceFixtures.Batch b = ReferenceFixtures.batch("w4a4");
    Path file = ReferenceFixtures.checkpoint("w4a4", dir);
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit model = ReferenceImport.read(file, ReferenceFixtures.architecture(), m).model();
        LocalFolderStore store = new LocalFolderStore(dir.resolve("models"))) {
      List<String> classes = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
      IntegerModelExporter.publish(IntegerModelView.of(model), classes, store, "fixture/1", file.toString());
      ExportedModel exported = ExportedModel.load(dir.resolve("models/fixture/1"));
      float[] logits;
      try (IntDeit engine = IntDeit.of(exported, EngineOptions.defaults().withThreads(1))) {
        logits = engine.forward(b.input(), b.rows());
      }
      for (int r = 0; r < b.rows(); r++) {
        assertEquals(ReferenceFixtures.Batch.argmax(b.logits(), r, b.classes()),
            ReferenceFixtures.Batch.argmax(logits, r, b.classes()), "top-1 of image " + r);
      }
    }
  }
}
