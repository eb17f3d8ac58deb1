package dev.vvtq.bench;

import dev.vvtq.engine.model.ModelConfig;
import dev.vvtq.engine.testing.SyntheticModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@link EngineBenchmark} on a random-weight deit_tiny_patch16_224 W4A4 export (steps calibrated as
 * in training), written to a temporary folder. Takes EngineBenchmark's other arguments.
 */
public final class SyntheticEngineBenchmark {
  private SyntheticEngineBenchmark() {}

  public static void main(String[] args) throws Exception {
    ModelConfig c = SyntheticModel.deitTiny(4, 4);
    long t0 = System.nanoTime();
    Path dir = SyntheticModel.random(c, 1).writeTo(Files.createTempDirectory("engine-bench"), c.name(), "1");
    System.out.printf("random-weight export written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    String[] all = Arrays.copyOf(args, args.length + 1);
    all[args.length] = "model=" + dir;
    EngineBenchmark.main(all);
  }
}
