package dev.vvtq.cli.remote;

import dev.vvtq.proto.v1.Job;
import dev.vvtq.proto.v1.JobKind;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.ListJobsRequest;
import dev.vvtq.proto.v1.TrainerGrpc;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vvtq remote jobs}: the trainer's jobs, newest first. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
public final class RemoteJobsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Mixin TrainerTarget target;

  @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state (repeatable): queued, running, succeeded, failed, cancelling, cancelled.")
  List<String> states = List.of();

  @Option(names = "--kind", description = "train or label.")
  String kind;

  @Option(names = "--limit", defaultValue = "0", description = "At most N jobs (0: the service's default, 100).")
  int limit;

  @Option(names = "--json", description = "One JSON object per job.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ListJobsRequest.Builder r = ListJobsRequest.newBuilder().setLimit(limit);
    for (String s : states) {
      r.addStates(JobState.valueOf("JOB_STATE_" + s.toUpperCase(Locale.ROOT)));
    }
    if (kind != null) {
      r.setKind(JobKind.valueOf("JOB_KIND_" + kind.toUpperCase(Locale.ROOT)));
    }
    try (Target t = Target.open(target.target)) {
      List<Job> jobs = TrainerGrpc.newBlockingStub(t.channel()).listJobs(r.build()).getJobsList();
      PrintWriter out = cmd.commandLine().getOut();
      if (!json) {
        out.printf(Locale.ROOT, "%-44s %-6s %-11s %-20s %s%n", "JOB", "KIND", "STATE", "SUBMITTED", "OUTPUT / MESSAGE");
      }
      for (Job j : jobs) {
        if (json) {
          out.println(Printing.json(j).replaceAll("\\s*\\n\\s*", " "));
        } else {
          out.printf(Locale.ROOT, "%-44s %-6s %-11s %-20s %s%s%n", j.getId(),
              j.getKind().name().replace("JOB_KIND_", "").toLowerCase(Locale.ROOT), Printing.state(j.getState()),
              Printing.time(j.getSubmitted()), j.getOutput(), j.getMessage().isEmpty() ? "" : "  " + j.getMessage());
        }
      }
      return 0;
    }
  }
}
