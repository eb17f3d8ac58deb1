package dev.vvtq.cli.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.cli.Main;
import dev.vvtq.proto.v1.TrainSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `vvtq remote` without services: flag translation and the errors a user sees. (With services: e2e-tests.) */
class RemoteCommandsTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void trainSendsOnlyTheFlagsGivenSoTheServiceDefaultsTheRest() {
    RemoteTrainCommand c = new RemoteTrainCommand();
    new CommandLine(c).parseArgs("--data", "/d", "--wbits", "4", "--abits", "4", "--reg", "--finetune", "runs/fp@best",
        "--num_crops", "2", "--min-crop-scale", "0.35");
    TrainSpec s = c.spec();
    assertEquals("/d", s.getData());
    assertEquals(4, s.getWbits());
    assertTrue(s.getReg());
    assertEquals("runs/fp@best", s.getFinetune());
    assertEquals(0.35, s.getMinCropScale());
    assertFalse(s.hasEpochs(), "unset: the service's default");
    assertFalse(s.hasLr());
    assertTrue(s.getModel().isEmpty());
  }

  @Test
  void aBadTargetIsOneClearError() {
    assertEquals(1, run("remote", "jobs", "--target", "no-port"));
    assertTrue(err.toString().contains("host:port expected"), err.toString());
  }

  @Test
  void anUnreachableServiceSaysUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertEquals(1, run("remote", "job", "some-job", "--target", "127.0.0.1:" + port));
    assertTrue(err.toString().contains("UNAVAILABLE"), err.toString());
  }

  @Test
  void evaluateNeedsAnArtifact() {
    assertEquals(2, run("remote", "evaluate", "--data", "/d"));
    assertTrue(err.toString().contains("--checkpoint or --model"), err.toString());
  }
}
