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
      Probe probe = new Probe(sabotaged(a.getOrDefault("sabotage", "none"), group));
      long cancelAt = Long.parseLong(a.getOrDefault("cancelAtStep", "-1"));
      long slowMs = Long.parseLong(a.getOrDefault("slowMs", "0"));
      long[] steps = {Long.parseLong(a.getOrDefault("stepsBefore", "0"))};
      try (ArtifactStore store = new LocalFolderStore(Path.of(a.get("store")))) {
        TrainSpec spec = DataParallelTrainingTest.spec(Path.of(a.get("data")), a.get("softlabels"), a.get("run"),
            Integer.parseInt(a.getOrDefault("epochs", "4"))).toBuilder().resume(a.get("resume")).build();
        Placement placement = new Placement(group, probe, Device.cpu());
        TrainingResult r = new Trainer(spec, store, Path.of(a.get("work")), null, () -> {
          // Polled once per step on every rank, after the update: the parameters are the step's result.
          steps[0]++;
          try {
            probe.dump(out.resolve("rank-" + group.rank() + ".params"));
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

  /** Passes the gradients on and remembers the parameters so that they can be written after the update. */
  private static final class Probe implements GradientSync {
    private final GradientSync delegate;
    private List<Param> params = List.of();

    Probe(GradientSync delegate) {
      this.delegate = delegate;
    }

    @Override
    public void synchronize(Collection<Param> p) {
      params = List.copyOf(p);
      delegate.synchronize(p);
    }

    void dump(Path file) throws IOException {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
        o.writeInt(params.size());
        for (Param p : params) {
          float[] v = p.values();
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
