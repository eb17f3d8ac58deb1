package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.ClassifierGrpc;
import dev.vvtq.proto.v1.ListModelsRequest;
import dev.vvtq.proto.v1.LoadModelRequest;
import dev.vvtq.proto.v1.ModelStatus;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq remote models [--load KEY]}: the inference service's models, optionally loading one first. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List the inference service's models; --load KEY first loads models/<name>/<version> from its store.")
public final class RemoteModelsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin InferenceTarget target;

  @Option(names = "--load", paramLabel = "KEY", description = "Load this exported model (models/<name>/<version>) first.") String load;
  @Option(names = "--name", description = "Name to load it under (default: <name> of the key).") String name;
  @Option(names = "--replace", description = "Replace a model loaded under that name.") boolean replace;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = cmd.commandLine().getOut();
    try (Target t = Target.open(target.target)) {
      ClassifierGrpc.ClassifierBlockingStub stub = ClassifierGrpc.newBlockingStub(t.channel());
      if (load != null) {
        LoadModelRequest.Builder r = LoadModelRequest.newBuilder().setStoreKey(load).setReplace(replace);
        if (name != null) {
          r.setName(name);
        }
        ModelStatus s = stub.loadModel(r.build()).getModel();
        w.println("loaded " + s.getName() + " (" + s.getStoreKey() + "): " + state(s));
      }
      w.printf(Locale.ROOT, "%-24s %-8s %-10s %-28s %s%n", "MODEL", "VERSION", "STATE", "ARCHITECTURE", "KEY");
      for (ModelStatus s : stub.listModels(ListModelsRequest.getDefaultInstance()).getModelsList()) {
        w.printf(Locale.ROOT, "%-24s %-8s %-10s %-28s %s%s%n", s.getName(), s.getVersion(), state(s),
            s.getInfo().getArchitecture() + (s.getInfo().getWbits() > 0 ? " W" + s.getInfo().getWbits() + "A" + s.getInfo().getAbits() : ""),
            s.getStoreKey(), s.getReason().isEmpty() ? "" : "  " + s.getReason());
      }
      return 0;
    }
  }

  private static String state(ModelStatus s) {
    return s.getState().name().replace("MODEL_STATE_", "").toLowerCase(Locale.ROOT);
  }
}
