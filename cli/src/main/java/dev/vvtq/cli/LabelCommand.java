package dev.vvtq.cli;

import ai.djl.ndarray.NDManager;
import dev.vvtq.artifacts.files.ScratchFolder;
import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.store.ArtifactStore;
import dev.vvtq.imaging.Normalization;
import dev.vvtq.imaging.RandomResizedCrop;
import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.checkpoint.LoadedCheckpoint;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.data.ImageFolder;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.softlabel.ModelTeacher;
import dev.vvtq.qat.softlabel.SoftLabelGenerator;
import dev.vvtq.qat.softlabel.SoftLabelManifest;
import dev.vvtq.qat.softlabel.SoftLabelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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

  @Option(names = {"-m", "--crops"}, defaultValue = "10", description = "Crops per image (M). Default: ${DEFAULT-VALUE}.")
  int crops;

  @Option(names = {"-k", "--topk"}, defaultValue = "5", description = "Probabilities kept per crop. Default: ${DEFAULT-VALUE}.")
  int topk;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the crop boxes and flips. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "256", description = "Crops per teacher batch. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--min-crop-scale", defaultValue = "0.08",
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
    ImageFolder train = ImageFolder.split(data, "train");
    try (ArtifactStore artifacts = store.open(); NDManager root = NDManager.newBaseManager();
        ScratchFolder scratch = ScratchFolder.create("vvtq-label-")) {
      LoadedCheckpoint c = CheckpointRepository.resolve(artifacts, teacher, scratch.path());
      try (QuantDeit model = ModelWeights.load(c.modelFile(), root);
          ProgressBar bar = new ProgressBar(cmd.commandLine().getErr())) {
        if (model.config().numClasses() != train.numClasses()) {
          throw new IllegalArgumentException("the teacher has " + model.config().numClasses() + " classes but "
              + train.root() + " has " + train.numClasses());
        }
        long start = System.nanoTime();
        SoftLabelSpec spec = new SoftLabelSpec(crops, topk, seed, model.config().imgSize(), 1000, batchSize,
            new RandomResizedCrop(minCropScale, 1.0, 3.0 / 4.0, 4.0 / 3.0), Normalization.IMAGENET);
        SoftLabelManifest m = new SoftLabelGenerator(spec).generate(train, new ModelTeacher(model),
            teacher + " (" + model.config().name() + " " + model.config().bitsLabel() + ")", root, out,
            p -> {
              stop.throwIfRequested(); // the shards done so far stay; a rerun continues after them
              bar.progress("label", p.imagesDone(), p.images());
            });
        bar.close();
        double secs = (System.nanoTime() - start) / 1e9;
        cmd.commandLine().getOut().printf(Locale.ROOT, "soft labels: %d images x %d crops, top-%d, in %s (%s)%n",
            m.imageCount(), crops, topk, out, ProgressBar.duration(secs));
        if (publish != null) {
          String prefix = "softlabels/" + publish;
          Map<String, Path> files = new LinkedHashMap<>();
          try (Stream<Path> list = Files.list(out)) {
            list.filter(Files::isRegularFile).forEach(f -> files.put(f.getFileName().toString(), f));
          }
          artifacts.publish(prefix, ArtifactKinds.SOFT_LABELS, files, Map.of("teacher", teacher, "crops", crops, "topk", topk));
          cmd.commandLine().getOut().println("published " + artifacts.location() + prefix);
        }
      }
    }
    return 0;
  }
}
