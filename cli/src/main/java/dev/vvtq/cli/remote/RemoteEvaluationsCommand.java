package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.Evaluation;
import dev.vvtq.proto.v1.EvaluatorGrpc;
import dev.vvtq.proto.v1.GetEvaluationRequest;
import dev.vvtq.proto.v1.ListEvaluationsRequest;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vvtq remote evaluations [ID]}: stored evaluations, or one as JSON. */
@Command(name = "evaluations", mixinStandardHelpOptions = true,
    description = "List stored evaluations, newest first; with an ID, show that one as JSON.")
public final class RemoteEvaluationsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin EvaluatorTarget target;

  @Parameters(arity = "0..1", paramLabel = "ID") String id;

  @Option(names = "--limit", defaultValue = "0", description = "At most N (0: the service's default, 100).") int limit;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = cmd.commandLine().getOut();
    try (Target t = Target.open(target.target)) {
      EvaluatorGrpc.EvaluatorBlockingStub stub = EvaluatorGrpc.newBlockingStub(t.channel());
      if (id != null) {
        w.println(Printing.json(stub.getEvaluation(GetEvaluationRequest.newBuilder().setId(id).build())));
        return 0;
      }
      w.printf(Locale.ROOT, "%-34s %-10s %-44s %8s %8s%n", "EVALUATION", "STATE", "ARTIFACT", "ACC@1", "ACC@5");
      for (Evaluation v : stub.listEvaluations(ListEvaluationsRequest.newBuilder().setLimit(limit).build()).getEvaluationsList()) {
        w.printf(Locale.ROOT, "%-34s %-10s %-44s %8.3f %8.3f%n", v.getId(),
            v.getState().name().replace("EVALUATION_STATE_", "").toLowerCase(Locale.ROOT),
            v.getArtifact().hasCheckpoint() ? v.getArtifact().getCheckpoint() : v.getArtifact().getModel(), v.getTop1(), v.getTop5());
      }
      return 0;
    }
  }
}
