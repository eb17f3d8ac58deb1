package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vvtq.artifacts.files.FileTree;
import dev.vvtq.engineeval.CalibratedModels;
import dev.vvtq.imaging.ImageDecoder;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.DeitModels;
import dev.vvtq.qat.model.QuantDeit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vvtq infer} and {@code vvtq evaluate --engine int} on an exported model: a seeded deit_pico
 * W4A4 with six classes, calibrated on a tiny ImageFolder, exported to a store and saved as a
 * checkpoint, so that the DJL path scores the very same model.
 */
class EngineCommandsTest {
  @TempDir static Path dir;
  static Path data;
  static Path store;
  static Path modelDir;
  static Path checkpoint;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void exportAModel() throws Exception {
    data = dir.resolve("data");
    PipelineCommandTest.images(data.resolve("train"), 4, 1);
    PipelineCommandTest.images(data.resolve("val"), 3, 2);
    DeitConfig c = DeitModels.get("deit_pico_patch4_16", 4, 4).withNumClasses(6);
    ImageFolder train = ImageFolder.split(data, "train");
    List<dev.vvtq.imaging.RgbImage> calibration = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      calibration.add(train.load(i));
    }
    store = dir.resolve("store");
    try (NDManager m = NDManager.newBaseManager();
        QuantDeit model = CalibratedModels.random(c, 3, 8,
            CalibratedModels.preprocess(calibration, c.evalPreprocessor()), calibration.size(), m)) {
      modelDir = CalibratedModels.export(model, train.classes(), store, "pico", "1");
      checkpoint = dir.resolve("pico.safetensors");
      ModelWeights.save(model, checkpoint);
    }
  }

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static List<Path> valImages() throws Exception {
    try (Stream<Path> s = Files.walk(data.resolve("val"))) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }

  @Test
  void inferPrintsTheTopFiveOfEachImage() throws Exception {
    List<Path> images = valImages().subList(0, 4);
    List<String> args = new ArrayList<>(List.of("infer", "--model-path", modelDir.toString(), "--threads", "1"));
    images.forEach(p -> args.add(p.toString()));
    assertEquals(0, run(args.toArray(String[]::new)), err.toString());
    String[] lines = out.toString().split("\\R");
    assertEquals(images.size() * 6, lines.length, out.toString());
    Pattern row = Pattern.compile("  (\\d)  (class\\d) +([0-9.]+) %");
    for (int i = 0; i < images.size(); i++) {
      assertEquals(images.get(i).toString(), lines[i * 6]);
      double sum = 0;
      double previous = 101;
      for (int r = 1; r <= 5; r++) {
        Matcher m = row.matcher(lines[i * 6 + r]);
        assertTrue(m.matches(), lines[i * 6 + r]);
        assertEquals(r, Integer.parseInt(m.group(1)));
        double p = Double.parseDouble(m.group(3));
        assertTrue(p <= previous, "sorted by probability: " + out);
        previous = p;
        sum += p;
      }
      assertTrue(sum > 50 && sum <= 100.01, "five of six classes: " + sum);
    }
    // the image is preprocessed as the model's metadata says: the same input decoded by hand gives the same top-1
    assertTrue(ImageDecoder.decode(images.get(0)).width() == 28);
  }

  @Test
  void inferReadsAStoreKeyAndHonoursTop() throws Exception {
    Path image = valImages().get(0);
    List<Path> before = fetchFolders();
    assertEquals(0, run("infer", "--store", store.toString(), "--model-path", "models/pico/1", "-k", "2",
        image.toString()), err.toString());
    assertEquals(3, out.toString().split("\\R").length, out.toString());
    assertEquals(before, fetchFolders(), "the model fetched from the store is not left in the temporary folder");
  }

  private static List<Path> fetchFolders() throws IOException {
    try (var all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return all.filter(p -> p.getFileName().toString().startsWith("vvtq-model-")).sorted().toList();
    }
  }

  @Test
  void inferReportsABadImageAndGoesOn() throws Exception {
    Path bad = dir.resolve("not-an-image.png");
    Files.writeString(bad, "hello");
    Path good = valImages().get(1);
    Path half = dir.resolve("half.jpg");
    java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(javax.imageio.ImageIO.read(good.toFile()), "jpg", jpeg);
    Files.write(half, java.util.Arrays.copyOf(jpeg.toByteArray(), jpeg.size() / 2));
    assertEquals(1, run("infer", "--model-path", modelDir.toString(), bad.toString(), good.toString(),
        dir.resolve("missing.png").toString(), half.toString()));
    assertTrue(err.toString().contains("vvtq infer: error: " + bad + ": cannot decode image"), err.toString());
    assertTrue(err.toString().contains("missing.png: cannot decode image: file does not exist"), err.toString());
    assertTrue(err.toString().contains("vvtq infer: error: " + half + ": cannot decode image: truncated JPEG"),
        err.toString());
    assertTrue(err.toString().contains("3 of 4 images could not be read"), err.toString());
    assertTrue(out.toString().startsWith(good.toString()), out.toString());
  }

  @Test
  void inferExplainsAMissingOrWrongModel() throws Exception {
    Path image = valImages().get(0);
    assertEquals(1, run("infer", "--model-path", dir.resolve("nope").toString(), image.toString()));
    assertTrue(err.toString().contains("vvtq infer: error: no folder " + dir.resolve("nope")), err.toString());

    assertEquals(1, run("infer", "--model-path", data.toString(), image.toString()));
    assertTrue(err.toString().contains("no manifest.json"), err.toString());

    assertEquals(1, run("infer", "--model-path", checkpoint.toString(), image.toString()));
    assertTrue(err.toString().contains("is a file; an exported model is a folder"), err.toString());

    assertEquals(1, run("infer", "--store", store.toString(), "--model-path", "models/pico/9", image.toString()));
    assertTrue(err.toString().contains("no exported model 'models/pico/9' in the store"), err.toString());

    Path corrupt = dir.resolve("corrupt");
    Files.createDirectories(corrupt);
    for (String f : List.of("manifest.json", "model.safetensors")) {
      Files.copy(modelDir.resolve(f), corrupt.resolve(f));
    }
    byte[] b = Files.readAllBytes(corrupt.resolve("model.safetensors"));
    b[b.length - 1] ^= 1;
    Files.write(corrupt.resolve("model.safetensors"), b);
    assertEquals(1, run("infer", "--model-path", corrupt.toString(), image.toString()));
    assertTrue(err.toString().contains("does not match the manifest"), err.toString());

    assertEquals(2, run("infer", "--model-path", modelDir.toString()));
    assertTrue(err.toString().contains("Missing required parameter: 'IMAGE'"), err.toString());
  }

  @Test
  void evaluateWithTheEngineMatchesTheDjlPath() throws Exception {
    assertEquals(0, run("evaluate", "--resume", checkpoint.toString(), "--data", data.toString(), "-b", "5"),
        err.toString());
    String djl = out.toString().lines().filter(l -> l.startsWith(" * Acc@1")).findFirst().orElseThrow();
    out.getBuffer().setLength(0);
    Path json = dir.resolve("int.json");
    assertEquals(0, run("evaluate", "--engine", "int", "--model-path", modelDir.toString(), "--data", data.toString(),
        "-b", "5", "--engine-threads", "1", "--model", "deit_pico_patch4_16", "--wbits", "4", "--out", json.toString()),
        err.toString());
    String engine = out.toString().lines().filter(l -> l.startsWith(" * Acc@1")).findFirst().orElseThrow();
    assertEquals(djl, engine, out.toString());
    assertTrue(out.toString().contains("deit_pico_patch4_16 W4A4 (int-engine, 1 threads) on 18 images"), out.toString());
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertEquals("int", j.path("subject").path("engine").asText(), j.toString());

    // the store key, and --resume naming the exported model, work too
    out.getBuffer().setLength(0);
    assertEquals(0, run("evaluate", "--engine", "int", "--store", store.toString(), "--resume", "models/pico/1",
        "--data", data.toString(), "--limit-val", "6"), err.toString());
    assertTrue(out.toString().contains("on 6 images"), out.toString());
  }

  @Test
  void evaluateWithTheEngineRejectsWhatItCannotScore() throws Exception {
    assertEquals(2, run("evaluate", "--engine", "int", "--data", data.toString()));
    assertTrue(err.toString().contains("--engine int scores an exported model"), err.toString());
    assertEquals(2, run("evaluate", "--engine", "tpu", "--model-path", modelDir.toString(), "--data", data.toString()));
    assertTrue(err.toString().contains("--engine must be djl or int, got 'tpu'"), err.toString());
    assertEquals(2, run("evaluate", "--model-path", modelDir.toString(), "--data", data.toString()));
    assertTrue(err.toString().contains("--engine djl scores a checkpoint"), err.toString());
    assertEquals(1, run("evaluate", "--engine", "int", "--resume", checkpoint.toString(), "--data", data.toString()));
    assertTrue(err.toString().contains("is a file; an exported model is a folder"), err.toString());
    assertEquals(1, run("evaluate", "--engine", "int", "--model-path", modelDir.toString(), "--data",
        data.toString(), "--wbits", "2"));
    assertTrue(err.toString().contains("--wbits 2 does not match"), err.toString());

    Path fewer = dir.resolve("fewer");
    PipelineCommandTest.images(fewer.resolve("val"), 1, 3);
    FileTree.delete(fewer.resolve("val/class5"));
    assertEquals(1, run("evaluate", "--engine", "int", "--model-path", modelDir.toString(), "--data", fewer.toString()));
    assertTrue(err.toString().contains("has 6 classes but"), err.toString());
  }
}
