package dev.vvtq.cli;

import dev.vvtq.qat.checkpoint.CheckpointRepository;
import dev.vvtq.qat.train.EpochRecord;
import dev.vvtq.qat.train.StepProgress;
import dev.vvtq.qat.train.TrainingListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Prints a run's progress as the reference does (a line every {@code printFreq} steps, the " *
 * Acc@1" line after each validation) and appends the same lines to the {@code --log} file.
 */
final class TrainingConsole implements TrainingListener, AutoCloseable {
  private final PrintWriter out;
  private final int printFreq;
  private final BufferedWriter log;

  TrainingConsole(PrintWriter out, int printFreq, Path logFile) throws IOException {
    this.out = out;
    this.printFreq = Math.max(1, printFreq);
    if (logFile != null) {
      Path parent = logFile.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } else {
      this.log = null;
    }
  }

  @Override
  public void onStep(StepProgress p) {
    if (p.batchInPass() % printFreq != 0 && p.batchInPass() != p.batchesInPass()) {
      return;
    }
    emit(line(p));
  }

  static String line(StepProgress p) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Epoch: [%d/%d][%d/%d] step %d/%d  loss %.4f", p.epoch() + 1, p.totalEpochs(), p.batchInPass(),
        p.batchesInPass(), p.step(), p.totalSteps(), p.loss()));
    if (p.lambda() > 0 || p.regularizer() > 0) {
      sb.append(String.format(Locale.ROOT, " (kd %.4f reg %.4f)", p.kdLoss(), p.regularizer()));
    }
    sb.append(String.format(Locale.ROOT, "  Acc@1 %.2f Acc@5 %.2f  lr %.2e  lambda %.4f  %.0f img/s  ETA %s",
        p.top1(), p.top5(), p.lr(), p.lambda(), p.imagesPerSecond(), ProgressBar.duration(p.etaSeconds())));
    if (!p.oscillation().isEmpty()) {
      sb.append(String.format(Locale.ROOT, "  osc %.2f%%", 100 * p.oscillatingFraction()));
    }
    return sb.toString();
  }

  @Override
  public void onEpoch(EpochRecord r) {
    emit(String.format(Locale.ROOT,
        "epoch %d done: train loss %.4f Acc@1 %.2f | val Acc@1 %.3f Acc@5 %.3f | lambda %.4f osc %.2f%% | %.0f img/s, %.0f s",
        r.epochsDone(), r.trainLoss(), r.trainTop1(), r.valTop1(), r.valTop5(), r.lambda(), 100 * r.oscillatingFraction(),
        r.imagesPerSecond(), r.seconds()));
  }

  @Override
  public void onCheckpoint(CheckpointRepository.Saved saved, boolean best) {
    emit("checkpoint " + saved.prefix() + (best ? " (best so far)" : ""));
  }

  @Override
  public void onMessage(String line) {
    emit(line);
  }

  private synchronized void emit(String line) {
    out.println(line);
    out.flush();
    if (log != null) {
      try {
        log.write(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + line);
        log.newLine();
        log.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the log file", e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (log != null) {
      log.close();
    }
  }
}
