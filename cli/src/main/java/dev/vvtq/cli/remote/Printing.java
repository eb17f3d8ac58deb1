package dev.vvtq.cli.remote;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.vvtq.proto.v1.JobEvent;
import dev.vvtq.proto.v1.JobState;
import dev.vvtq.proto.v1.Progress;
import java.time.Instant;
import java.util.Locale;

/** How remote results are shown: one line per event, or the message as JSON with the proto's field names. */
final class Printing {
  private Printing() {}

  static String json(MessageOrBuilder m) {
    try {
      return JsonFormat.printer().preservingProtoFieldNames().print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static String state(JobState s) {
    return s.name().replace("JOB_STATE_", "").toLowerCase(Locale.ROOT);
  }

  static String time(Timestamp t) {
    return t.getSeconds() == 0 ? "-" : Instant.ofEpochSecond(t.getSeconds()).toString();
  }

  static String event(JobEvent e) {
    return switch (e.getEventCase()) {
      case STATE_CHANGE -> "state " + state(e.getStateChange());
      case PROGRESS -> progress(e.getProgress());
      case EPOCH_END -> String.format(Locale.ROOT, "epoch %d done: train loss %.4f, val Acc@1 %.3f Acc@5 %.3f%s -> %s",
          e.getEpochEnd().getEpoch(), e.getEpochEnd().getTrainLoss(), e.getEpochEnd().getValTop1(),
          e.getEpochEnd().getValTop5(), e.getEpochEnd().getBest() ? " (best)" : "", e.getEpochEnd().getCheckpoint());
      case RESULT -> e.getResult().getSoftlabelPrefix().isEmpty()
          ? String.format(Locale.ROOT, "result: best %s (Acc@1 %.3f), final %s (Acc@1 %.3f)", e.getResult().getBestCheckpoint(),
              e.getResult().getBestTop1(), e.getResult().getFinalCheckpoint(), e.getResult().getFinalTop1())
          : "result: " + e.getResult().getImagesLabelled() + " images labelled into " + e.getResult().getSoftlabelPrefix();
      case MESSAGE -> "message: " + e.getMessage();
      case EVENT_NOT_SET -> "";
    };
  }

  static String progress(Progress p) {
    if (p.getImagesTotal() > 0) {
      return String.format(Locale.ROOT, "labelled %d/%d images, %.1f images/s, ETA %.0f s", p.getImagesDone(),
          p.getImagesTotal(), p.getImagesPerSecond(), p.getEtaSeconds());
    }
    return String.format(Locale.ROOT, "epoch %d/%d step %d/%d loss %.4f Acc@1 %.2f lr %.3g lambda %.3g %.1f img/s ETA %.0f s",
        p.getEpoch() + 1, p.getEpochs(), p.getStep(), p.getTotalSteps(), p.getLoss(), p.getTop1(), p.getLr(), p.getLambda(),
        p.getImagesPerSecond(), p.getEtaSeconds());
  }
}
