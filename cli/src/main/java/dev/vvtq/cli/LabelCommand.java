package dev.vvtq.cli;

import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.qat.jobs.SoftLabelJob;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq label}: FKD soft labels of a teacher over the training images. */
@Command(
    name = "label",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate FKD region-level soft labels: for every training image, M RandomResizedCrop boxes and flips",
      "(seeded), the teacher's top-k probabilities on each crop. Written as safetensors shards into --out;",
      "rerunning resumes (finished shards are kept). --publish also stores them as softlabels/<name>.",
    })
public final class LabelCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Option(names = "--teacher", required = true, paramLabel = "CKPT",
      description = "Teacher checkpoint (a folder, model.safetensors, or a store key such as runs/<id>@best).")
  String teacher;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "ImageFolder root; DATA/train is labelled.")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "SOFTLABELS", description = "Output folder (resumable).")
  Path out;

  @Option(names = {"-m", "--crops"}, defaultValue = "" + SoftLabelJob.DEFAULT_CROPS,
      description = "Crops per image (M). Default: ${DEFAULT-VALUE}.")
  int crops;

  @Option(names = {"-k", "--topk"}, defaultValue = "" + SoftLabelJob.DEFAULT_TOPK,
      description = "Probabilities kept per crop. Default: ${DEFAULT-VALUE}.")
  int topk;

  @Option(names = "--seed", defaultValue = "" + SoftLabelJob.DEFAULT_SEED,
      description = "Seed of the crop boxes and flips. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "" + SoftLabelJob.DEFAULT_BATCH_SIZE,
      description = "Crops per teacher batch. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--min-crop-scale", defaultValue = "" + SoftLabelJob.DEFAULT_MIN_CROP_SCALE,
      description = "Smallest crop area fraction of the RandomResizedCrop boxes (torchvision: ${DEFAULT-VALUE}).")
  double minCropScale;

  @Option(names = "--publish", paramLabel = "NAME", description = "Also publish the folder to the store as softlabels/NAME.")
  String publish;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    return GracefulStop.run(cmd.qualifiedName(), cmd.commandLine().getErr(), this::label);
  }

  private int label(GracefulStop stop) throws Exception {
    SoftLabelJob.Spec spec = new SoftLabelJob.Spec(teacher, null, data, out, crops, topk, seed, 0, batchSize,
        minCropScale, publish);
    SoftLabelJob.Result r;
    try (ArtifactStore artifacts = store.open(); ProgressBar bar = new ProgressBar(cmd.commandLine().getErr())) {
      // The shards done so far stay; a rerun continues after them.
      r = SoftLabelJob.run(spec, artifacts, null, p -> {
        stop.throwIfRequested();
        bar.progress("label", p.imagesDone(), p.images());
      }, null);
      bar.close();
      cmd.commandLine().getOut().printf(Locale.ROOT, "soft labels: %d images x %d crops, top-%d, in %s (%s)%n",
          r.manifest().imageCount(), crops, topk, out, ProgressBar.duration(r.seconds()));
      if (r.published() != null) {
        cmd.commandLine().getOut().println("published " + artifacts.location() + r.published());
      }
    }
    return 0;
  }
}
