package dev.vvtq.inference.grpc;

import com.google.protobuf.Timestamp;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.registry.ModelStatus;
import dev.vvtq.proto.v1.ModelInfo;
import dev.vvtq.proto.v1.ModelState;

/** Registry snapshots as vvtq.v1 messages. */
final class ModelStatusProtos {
  private ModelStatusProtos() {}

  static dev.vvtq.proto.v1.ModelStatus toProto(ModelStatus s) {
    var b = dev.vvtq.proto.v1.ModelStatus.newBuilder()
        .setName(s.name())
        .setVersion(s.version())
        .setStoreKey(s.storeKey())
        .setState(state(s.state()))
        .setQueueDepth(s.queueDepth())
        .setQueueCapacity(s.queueCapacity());
    if (s.reason() != null) {
      b.setReason(s.reason());
    }
    if (s.readySince() != null) {
      b.setReadySince(Timestamp.newBuilder()
          .setSeconds(s.readySince().getEpochSecond())
          .setNanos(s.readySince().getNano()));
    }
    if (s.description() != null) {
      ModelInfo.Builder info = info(s.description(), s.sha256()).toBuilder();
      if (s.backend() != null) {
        info.setEngineBackend(s.backend());
      }
      b.setInfo(info);
    }
    return b.build();
  }

  private static ModelInfo info(ModelDescription d, String sha256) {
    ModelInfo.Builder b = ModelInfo.newBuilder()
        .setArchitecture(d.architecture())
        .setInputSize(d.inputSize())
        .setPatchSize(d.patchSize())
        .setEmbedDim(d.embedDim())
        .setDepth(d.depth())
        .setNumHeads(d.numHeads())
        .setWbits(d.wbits())
        .setAbits(d.abits())
        .addAllClassNames(d.classNames())
        .setCropPct((float) d.cropPct());
    for (float v : d.mean()) {
      b.addMean(v);
    }
    for (float v : d.std()) {
      b.addStd(v);
    }
    if (sha256 != null) {
      b.setSha256(sha256);
    }
    return b.build();
  }

  private static ModelState state(dev.vvtq.inference.registry.ModelState s) {
    return switch (s) {
      case LOADING -> ModelState.MODEL_STATE_LOADING;
      case READY -> ModelState.MODEL_STATE_READY;
      case UNLOADING -> ModelState.MODEL_STATE_UNLOADING;
      case FAILED -> ModelState.MODEL_STATE_FAILED;
    };
  }
}
