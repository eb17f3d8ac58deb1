package dev.vvtq.cli;

import ai.djl.Device;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.distributed.DeviceChoice;
import dev.vvtq.qat.distributed.Launch;
import dev.vvtq.qat.distributed.Placement;
import dev.vvtq.qat.distributed.ProcessGroup;
import dev.vvtq.qat.distributed.RankFailure;
import dev.vvtq.qat.distributed.RankThreads;
import dev.vvtq.qat.train.RunRecord;
import dev.vvtq.qat.train.TrainSpec;
import dev.vvtq.qat.train.Trainer;
import dev.vvtq.qat.train.TrainingResult;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq train}: the reference's train_VVTQ.py with its flag names. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train a (quantized) DeiT: float training (the teacher/baseline, --wbits -1 --abits -1), hard-label or",
      "KD training from FKD soft labels (--softlabel_path), and VVTQ QAT from a float checkpoint (--finetune)",
      "with the oscillation-aware bin regulariser (--reg). Checkpoints every pass to",
      "<store>/runs/<run-id>/checkpoints/<step>/, the best one pointed to by best.json. Ctrl-C checkpoints",
      "and stops; --resume runs/<run-id> continues exactly. A --run-id already in the store is refused",
      "unless resuming that run.",
      "Data-parallel on N processes: mpirun -np N --bind-to none ./vvtq train ... (--batch-size is the global",
      "batch; each rank takes batch-size / N; rank 0 writes checkpoints and logs).",
    })
public final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--model", defaultValue = "deit_tiny_patch16_224", description = "Architecture (see `vvtq models`). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "ImageFolder root with train/ and val/.")
  Path data;

  @Option(names = "--epochs", defaultValue = "150", description = "Total epochs (a multi-crop pass counts num_crops). Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "512", description = "Crops per step. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate (AdamW). Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--min-lr", defaultValue = "1e-5", description = "Final learning rate of the cosine schedule. Default: ${DEFAULT-VALUE}.")
  double minLr;

  @Option(names = "--warmup-epochs", defaultValue = "5", description = "Linear warm-up epochs (single-crop). Default: ${DEFAULT-VALUE}.")
  int warmupEpochs;

  @Option(names = "--warmup-lr", defaultValue = "1e-6", description = "Learning rate at the start of warm-up. Default: ${DEFAULT-VALUE}.")
  double warmupLr;

  @Option(names = {"--wd", "--weight-decay"}, defaultValue = "1e-4",
      description = "AdamW weight decay on weights of rank >= 2 only. Default: ${DEFAULT-VALUE}.")
  double weightDecay;

  @Option(names = "--wbits", defaultValue = "-1", description = "Weight bits of the transformer body (2..8, -1 = float). Default: ${DEFAULT-VALUE}.")
  int wbits;

  @Option(names = "--abits", defaultValue = "-1", description = "Activation bits of the transformer body (2..8, -1 = float). Default: ${DEFAULT-VALUE}.")
  int abits;

  @Option(names = "--reg", description = "Add the oscillation-aware bin regulariser (lambda: 0, then cosine up to 0.01).")
  boolean reg;

  @Option(names = "--head-wise", description = "One step size per attention head for q/k/v/attention/output.")
  boolean headWise;

  @Option(names = "--use-offset", description = "Learned offsets where the reference has them: attention input, q/k/v, attention output, MLP input, pre-head (no integer export yet).")
  boolean useOffset;

  @Option(names = "--num_crops", defaultValue = "4", description = "Crops per image per multi-crop pass (KD). Default: ${DEFAULT-VALUE}.")
  int numCrops;

  @Option(names = "--softlabel_path", paramLabel = "PATH",
      description = "Soft labels from `vvtq label`: a local folder or a store prefix softlabels/<name>. Without it: hard labels.")
  String softlabelPath;

  @Option(names = "--soft_label_type", defaultValue = "marginal_smoothing_k5",
      description = "hard, smoothing, marginal_smoothing_k5, marginal_smoothing_k10 or marginal_renorm. Default: ${DEFAULT-VALUE}.")
  String softLabelType;

  @Option(names = "--finetune", paramLabel = "CKPT",
      description = "Start from these float weights (a checkpoint folder, model.safetensors, or a store key such as runs/<id>@best).")
  String finetune;

  @Option(names = "--resume", paramLabel = "CKPT", description = "Continue a run exactly (runs/<id>, runs/<id>@best, a checkpoint folder).")
  String resume;

  @Option(names = "--run-id", paramLabel = "ID", description = "Name of the run folder (default: model-bits-timestamp, or the resumed run's).")
  String runId;

  @Option(names = "--log", paramLabel = "FILE", description = "Also append the progress lines to this file.")
  Path log;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of initialisation, data order, augmentation and drop-path. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--drop-path", defaultValue = "0.1", description = "Stochastic depth of the last block. Default: ${DEFAULT-VALUE}.")
  double dropPath;

  @Option(names = "--limit-train", defaultValue = "0", description = "Use N evenly spaced training images (0 = all).")
  int limitTrain;

  @Option(names = "--limit-val", defaultValue = "0", description = "Use N evenly spaced validation images (0 = all).")
  int limitVal;

  @Option(names = "--min-crop-scale", defaultValue = "0.08",
      description = "Smallest RandomResizedCrop area fraction for hard-label training (torchvision: ${DEFAULT-VALUE}).")
  double minCropScale;

  @Option(names = {"-j", "--threads"}, defaultValue = "2", description = "Data-loading threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = {"-p", "--print-freq"}, defaultValue = "10", description = "Print a progress line every N steps. Default: ${DEFAULT-VALUE}.")
  int printFreq;

  @Option(names = "--device", defaultValue = "cpu",
      description = "cpu, gpu (under mpirun: the rank's local GPU) or gpu:N; GPUs need the cuda build. Default: ${DEFAULT-VALUE}.")
  String device;

  @Mixin StoreOptions store;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Scratch folder for fetched checkpoints and soft labels (default: a temporary folder, removed at the end).")
  Path workDir;

  /** The spec these flags describe. */
  TrainSpec spec() {
    return TrainSpec.builder().model(model).data(data.toString()).epochs(epochs).batchSize(batchSize).lr(lr)
        .minLr(minLr).warmupEpochs(warmupEpochs).warmupLr(warmupLr).weightDecay(weightDecay).wbits(wbits).abits(abits)
        .reg(reg).headWise(headWise).useOffset(useOffset).numCrops(numCrops).softlabelPath(softlabelPath)
        .softLabelType(softLabelType).finetune(finetune).resume(resume).saveCheckpointPath(store.location).runId(runId)
        .log(log == null ? null : log.toString()).seed(seed).dropPath(dropPath).limitTrain(limitTrain)
        .limitVal(limitVal).threads(threads).minCropScale(minCropScale).build();
  }

  @Override
  public Integer call() throws Exception {
    TrainSpec spec = spec().validated();
    Launch launch = Launch.fromEnvironment();
    RankThreads.apply(launch);
    Device onDevice = DeviceChoice.parse(device, launch);
    // Without mpirun this is the single process and Open MPI is never loaded.
    ProcessGroup group = launch.openGroup();
    try {
      return RankFailure.abortJobOnFailure(group, () -> train(spec, group, onDevice));
    } finally {
      group.close();
    }
  }

  private int train(TrainSpec spec, ProcessGroup group, Device onDevice) throws Exception {
    DeviceChoice.checkAvailable(onDevice);
    // The trainer fetches into a folder of its own under this one and removes it when the run ends.
    Path work = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
    return GracefulStop.run(cmd.qualifiedName(), cmd.commandLine().getErr(), stop -> {
      try (ArtifactStore artifacts = store.open();
          TrainingConsole console = new TrainingConsole(cmd.commandLine().getOut(), printFreq,
              group.isRoot() ? log : null)) {
        refuseToOverwrite(spec, artifacts);
        // Every rank checks before rank 0 writes the new run's record.
        group.barrier();
        // SIGTERM / Ctrl-C: the ranks agree to checkpoint at the next step and return cancelled.
        TrainingResult r = new Trainer(spec, artifacts, work, console, stop::requested,
            Placement.dataParallel(group, onDevice)).run();
        if (group.isRoot()) {
          console.onMessage(String.format(Locale.ROOT, "%s run %s in %s: best val Acc@1 %.3f (%s), last checkpoint %s",
              r.cancelled() ? "cancelled" : "finished", r.runId(), ProgressBar.duration(r.seconds()), r.bestTop1(),
              r.bestCheckpoint(), r.lastCheckpoint()));
        }
        return r.cancelled() ? GracefulStop.STOPPED_STATUS : 0;
      }
    });
  }

  /**
   * A fresh run under the id of one already in the store would overwrite its record and
   * checkpoints; only resuming that run itself may write there (the trainer service has the same rule).
   */
  static void refuseToOverwrite(TrainSpec spec, ArtifactStore artifacts) throws java.io.IOException {
    String id = spec.runId();
    if (id == null || spec.resumesOwnRun()) {
      return;
    }
    var existing = RunRecord.load(artifacts, id);
    if (existing.isPresent()) {
      throw new IllegalArgumentException("run '" + id + "' already exists in " + artifacts.location() + " (status "
          + existing.get().status().name().toLowerCase(Locale.ROOT) + "); continue it with --resume runs/" + id
          + ", or choose another --run-id");
    }
  }
}
