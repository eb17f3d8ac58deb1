package dev.vvtq.cli.remote;

import com.google.protobuf.ByteString;
import dev.vvtq.proto.v1.ClassScore;
import dev.vvtq.proto.v1.ClassifierGrpc;
import dev.vvtq.proto.v1.ClassifyRequest;
import dev.vvtq.proto.v1.ClassifyResponse;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vvtq remote classify --model NAME IMAGE...} on the inference service. */
@Command(name = "classify", mixinStandardHelpOptions = true, description = "Classify local images with a model loaded in the inference service.")
public final class RemoteClassifyCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin InferenceTarget target;

  @Option(names = "--model", required = true, description = "The model's name as loaded (see `vvtq remote models`).") String model;

  @Option(names = {"-k", "--top-k"}, defaultValue = "5", description = "Classes per image. Default: ${DEFAULT-VALUE}.") int topK;

  @Parameters(arity = "1..*", paramLabel = "IMAGE") List<Path> images;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = cmd.commandLine().getOut();
    try (Target t = Target.open(target.target)) {
      ClassifierGrpc.ClassifierBlockingStub stub = ClassifierGrpc.newBlockingStub(t.channel());
      for (Path image : images) {
        ClassifyResponse r = stub.classify(ClassifyRequest.newBuilder().setModel(model).setTopK(topK)
            .setImage(ByteString.copyFrom(Files.readAllBytes(image))).setRequestId(image.toString()).build());
        StringBuilder line = new StringBuilder(image.toString()).append(':');
        for (ClassScore c : r.getClassesList()) {
          line.append(String.format(Locale.ROOT, "  %s %.4f", c.getLabel(), c.getProbability()));
        }
        w.println(line.append(String.format(Locale.ROOT, "  (%s v%s, %d us)", r.getModel(), r.getModelVersion(),
            r.getTiming().getTotalUs())));
      }
      return 0;
    }
  }
}
