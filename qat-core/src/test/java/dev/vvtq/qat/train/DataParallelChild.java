package dev.vvtq.qat.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.qat.distributed.GradientAverager;
import dev.vvtq.qat.distributed.GradientSync;
import dev.vvtq.qat.distributed.Launch;
import dev.vvtq.qat.distributed.Placement;
import dev.vvtq.qat.distributed.ProcessGroup;
import dev.vvtq.qat.distributed.RankFailure;
import dev.vvtq.qat.distributed.RankThreads;
import dev.vvtq.qat.nn.Param;
import dev.vvtq.qat.nn.ParamKind;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank of a data-parallel test job, launched by {@link DataParallelTrainingTest} under mpirun
 * (or alone). Arguments are {@code key=value}. After every step it writes this rank's parameters to
 * {@code out/rank-<r>.params}, so the last file holds the final state. {@code sabotage=sum} or
 * {@code sabotage=skip-steps} breaks the averaging on purpose (to show the tests catch it).
 */
public final class DataParallelChild {
  private DataParallelChild() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String kv : argv) {
      int eq = kv.indexOf('=');
      a.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    Launch launch = Launch.fromEnvironment();
    RankThreads.apply(launch);
    ProcessGroup group = launch.openGroup();
    Path out = Files.createDirectories(Path.of(a.get("out")));
    Files.writeString(out.resolve("rank-" + group.rank() + ".pid"), Long.toString(ProcessHandle.current().pid()));
    RankFailure.abortJobOnFailure(group, () -> {
      GradientSync sync = sabotaged(a.getOrDefault("sabotage", "none"), group);
      long slowMs = Long.parseLong(a.getOrDefault("slowMs", "0"));
      boolean keepSteps = Boolean.parseBoolean(a.getOrDefault("keepSteps", "false"));
      Probe probe = new Probe(Boolean.parseBoolean(a.getOrDefault("exactKeyBias", "false")) ? exactKeyBias(sync) : sync,
          keepSteps ? out.resolve("rank-" + group.rank()) : null);
      long cancelAt = Long.parseLong(a.getOrDefault("cancelAtStep", "-1"));
      long[] steps = {Long.parseLong(a.getOrDefault("stepsBefore", "0"))};
      try (ArtifactStore store = new LocalFolderStore(Path.of(a.get("store")))) {
        TrainSpec spec = DataParallelTrainingTest.spec(Path.of(a.get("data")), a.get("softlabels"), a.get("run"),
            Integer.parseInt(a.getOrDefault("epochs", "4"))).toBuilder().resume(a.get("resume"))
            .lr(Double.parseDouble(a.getOrDefault("lr", "2e-3"))).build();
        Placement placement = new Placement(group, probe, Device.cpu());
        TrainingResult r = new Trainer(spec, store, Path.of(a.get("work")), null, () -> {
          // Polled once per step on every rank, after the update: the parameters are the step's result.
          steps[0]++;
          try {
            probe.dump(out.resolve("rank-" + group.rank() + ".params"));
            if (keepSteps) {
              Files.copy(out.resolve("rank-" + group.rank() + ".params"),
                  out.resolve("rank-" + group.rank() + ".step-" + steps[0] + ".params"), StandardCopyOption.REPLACE_EXISTING);
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          if (slowMs > 0) {
            sleep(slowMs);
          }
          // Only rank 1 asks: the vote must stop rank 0 at the same step.
          return group.rank() == group.size() - 1 && cancelAt >= 0 && steps[0] >= cancelAt;
        }, placement).run();
        Files.writeString(out.resolve("rank-" + group.rank() + ".result"),
            (r.cancelled() ? "cancelled" : "finished " + r.finalValidation().top1()) + " " + r.lastCheckpoint());
      }
      return null;
    });
    group.close();
    System.exit(0);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sets the key biases' gradients to their exact value, zero: softmax is invariant to one shift of
   * every key, so what backward returns for them is rounding noise, which Adam normalises to steps
   * of about lr in a random direction. Two half batches round differently from one whole batch, so
   * without this the noise, not the averaging, decides how far two runs drift apart.
   */
  private static GradientSync exactKeyBias(GradientSync delegate) {
    List<Boolean> isKeyBias = new java.util.ArrayList<>();
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
        dev.vvtq.qat.model.QuantDeit model = dev.vvtq.qat.model.QuantDeit.create(
            dev.vvtq.qat.model.DeitModels.get("deit_pico_patch4_16", 4, 4).withNumClasses(3), m, 0)) {
      for (String name : model.namedParameters().keySet()) {
        isKeyBias.add(name.endsWith("attn.proj_k.bias"));
      }
    }
    return params -> {
      List<Param> list = List.copyOf(params);
      if (list.size() != isKeyBias.size()) {
        throw new IllegalStateException(list.size() + " parameters, expected " + isKeyBias.size());
      }
      boolean mode = JniUtils.isGradMode();
      JniUtils.setGradMode(false);
      for (int i = 0; i < list.size(); i++) {
        if (isKeyBias.get(i)) {
          try (NDArray g = list.get(i).array().getGradient()) {
            g.muli(0);
          }
        }
      }
      JniUtils.setGradMode(mode);
      delegate.synchronize(params);
    };
  }

  private static GradientSync sabotaged(String how, ProcessGroup group) {
    GradientAverager real = new GradientAverager(group);
    return switch (how) {
      case "none" -> real;
      // Sums instead of means: the average times the number of ranks.
      case "sum" -> params -> {
        real.synchronize(params);
        boolean mode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        for (Param p : params) {
          NDArray w = p.array();
          if (!w.hasGradient()) {
            continue;
          }
          try (NDArray g = w.getGradient()) {
            g.muli(group.size());
          }
        }
        JniUtils.setGradMode(mode);
      };
      // Leaves the step sizes' gradients local to each rank.
      case "skip-steps" -> params -> real.synchronize(params.stream().filter(p -> p.kind() != ParamKind.STEP).toList());
      default -> throw new IllegalArgumentException("sabotage=" + how);
    };
  }

  /**
   * Passes the gradients on and remembers the parameters so that they can be written after the
   * update; with {@code gradientsPrefix}, writes each step's synchronized gradients to
   * {@code <prefix>.step-<k>.grads}.
   */
  private static final class Probe implements GradientSync {
    private final GradientSync delegate;
    private final Path gradientsPrefix;
    private List<Param> params = List.of();
    private int calls;

    Probe(GradientSync delegate, Path gradientsPrefix) {
      this.delegate = delegate;
      this.gradientsPrefix = gradientsPrefix;
    }

    @Override
    public void synchronize(Collection<Param> p) {
      params = List.copyOf(p);
      delegate.synchronize(p);
      calls++;
      if (gradientsPrefix != null) {
        try {
          write(gradientsPrefix.resolveSibling(gradientsPrefix.getFileName() + ".step-" + calls + ".grads"), true);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }

    void dump(Path file) throws IOException {
      write(file, false);
    }

    private void write(Path file, boolean gradients) throws IOException {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
        o.writeInt(params.size());
        for (Param p : params) {
          float[] v;
          if (gradients) {
            try (NDArray g = p.array().getGradient()) {
              v = g.toFloatArray();
            }
          } else {
            v = p.values();
          }
          o.writeInt(v.length);
          for (float x : v) {
            o.writeFloat(x);
          }
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
