package dev.vvtq.inference.grpc;

import dev.vvtq.grpc.GrpcStatuses;
import dev.vvtq.grpc.MalformedRequests;
import dev.vvtq.inference.registry.LoadedModel;
import dev.vvtq.inference.registry.ModelRegistry;
import dev.vvtq.inference.registry.ModelSource;
import dev.vvtq.inference.registry.ModelStatus;
import dev.vvtq.inference.serving.ImageBatch;
import dev.vvtq.inference.serving.ImageSizeGuard;
import dev.vvtq.inference.serving.InferenceOutcome;
import dev.vvtq.inference.serving.InferencePipeline;
import dev.vvtq.inference.serving.InvalidRequestException;
import dev.vvtq.inference.serving.TopK;
import dev.vvtq.proto.v1.ClassScore;
import dev.vvtq.proto.v1.ClassifierGrpc;
import dev.vvtq.proto.v1.ClassifyRequest;
import dev.vvtq.proto.v1.ClassifyResponse;
import dev.vvtq.proto.v1.ListModelsRequest;
import dev.vvtq.proto.v1.ListModelsResponse;
import dev.vvtq.proto.v1.LoadModelRequest;
import dev.vvtq.proto.v1.LoadModelResponse;
import dev.vvtq.proto.v1.RequestError;
import dev.vvtq.proto.v1.Timing;
import dev.vvtq.proto.v1.UnloadModelRequest;
import dev.vvtq.proto.v1.UnloadModelResponse;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** vvtq.v1.Classifier: image in, top-k labels out, and the model repository calls. */
@GrpcService
public class ClassifierGrpcService extends ClassifierGrpc.ClassifierImplBase {
  static final int DEFAULT_TOP_K = 5;

  private final ModelRegistry registry;
  private final InferencePipeline pipeline;
  private final RequestMetrics metrics;
  private final ImageSizeGuard imageGuard;

  public ClassifierGrpcService(ModelRegistry registry, InferencePipeline pipeline, RequestMetrics metrics,
      ImageSizeGuard imageGuard) {
    this.registry = registry;
    this.pipeline = pipeline;
    this.metrics = metrics;
    this.imageGuard = imageGuard;
  }

  /** Unparseable request bytes answer INVALID_ARGUMENT, not grpc-java's UNKNOWN. */
  @Override
  public ServerServiceDefinition bindService() {
    return MalformedRequests.refuse(super.bindService());
  }

  @Override
  public void classify(ClassifyRequest request, StreamObserver<ClassifyResponse> out) {
    classifyOne(request, CallContext.current(), "Classify").whenComplete((response, failure) -> {
      if (failure != null) {
        out.onError(GrpcStatuses.toStatus(failure).asRuntimeException());
      } else {
        out.onNext(response);
        out.onCompleted();
      }
    });
  }

  @Override
  public StreamObserver<ClassifyRequest> classifyStream(StreamObserver<ClassifyResponse> out) {
    OrderedResponder<ClassifyResponse> responder = new OrderedResponder<>(out);
    CallContext call = CallContext.current();
    return new StreamObserver<>() {
      @Override
      public void onNext(ClassifyRequest request) {
        Consumer<ClassifyResponse> answer = responder.next();
        classifyOne(request, call, "ClassifyStream").whenComplete((response, failure) -> {
          if (failure == null) {
            answer.accept(response);
          } else {
            Status status = GrpcStatuses.toStatus(failure);
            answer.accept(ClassifyResponse.newBuilder()
                .setModel(request.getModel())
                .setRequestId(request.getRequestId())
                .setError(RequestError.newBuilder()
                    .setCode(status.getCode().value())
                    .setMessage(status.getDescription() == null ? status.getCode().name() : status.getDescription()))
                .build());
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        // The client aborted; queued requests see the call's cancellation and are dropped.
        responder.fail(Status.CANCELLED.withDescription("client aborted the stream").withCause(t).asRuntimeException());
      }

      @Override
      public void onCompleted() {
        responder.inputCompleted();
      }
    };
  }

  /** Runs one classification; never throws, failures come through the future. */
  private CompletableFuture<ClassifyResponse> classifyOne(ClassifyRequest request, CallContext call, String method) {
    long start = System.nanoTime();
    String modelTag = null;
    CompletableFuture<ClassifyResponse> result = new CompletableFuture<>();
    try {
      if (request.getModel().isEmpty()) {
        throw new InvalidRequestException("model is empty; name one of the loaded models (ListModels)");
      }
      if (request.getImage().isEmpty()) {
        throw new InvalidRequestException("image is empty (0 bytes); send an encoded JPEG, PNG, BMP, TIFF or PPM image");
      }
      if (request.getTopK() < 0) {
        throw new InvalidRequestException("top_k must be >= 0 (0 means " + DEFAULT_TOP_K + "), got " + request.getTopK());
      }
      LoadedModel model = registry.require(request.getModel(), "");
      modelTag = model.name();
      String tag = modelTag;
      int classes = model.description().numClasses();
      int k = Math.min(request.getTopK() == 0 ? DEFAULT_TOP_K : request.getTopK(), classes);
      byte[] image = request.getImage().toByteArray();
      pipeline.submit(model, 1, () -> ImageBatch.preprocess(model.preprocessor(), imageGuard, List.of(image), List.of("image")),
              call.deadlineNanos(), call.cancelled())
          .whenComplete((outcome, failure) -> {
            if (failure != null) {
              metrics.requestFinished(tag, method, GrpcStatuses.toStatus(failure).getCode(), System.nanoTime() - start);
              result.completeExceptionally(failure);
              return;
            }
            ClassifyResponse response = response(request, model, outcome, k, start);
            metrics.requestFinished(tag, method, Status.Code.OK, System.nanoTime() - start);
            result.complete(response);
          });
    } catch (RuntimeException e) {
      metrics.requestFinished(modelTag, method, GrpcStatuses.toStatus(e).getCode(), System.nanoTime() - start);
      result.completeExceptionally(e);
    }
    return result;
  }

  private static ClassifyResponse response(ClassifyRequest request, LoadedModel model, InferenceOutcome outcome, int k,
      long start) {
    int classes = outcome.numClasses();
    float[] p = TopK.softmax(outcome.logits(), 0, classes);
    List<String> labels = model.description().classNames();
    ClassifyResponse.Builder b = ClassifyResponse.newBuilder()
        .setModel(model.name())
        .setModelVersion(model.version())
        .setRequestId(request.getRequestId());
    for (int i : TopK.indices(p, k)) {
      b.addClasses(ClassScore.newBuilder()
          .setIndex(i)
          .setLabel(labels.get(i))
          .setProbability(p[i])
          .setLogit(outcome.logits()[i]));
    }
    b.setTiming(Timing.newBuilder()
        .setPreprocessUs(outcome.prepareNanos() / 1000)
        .setQueueUs(outcome.batch().queueNanos() / 1000)
        .setComputeUs(outcome.batch().computeNanos() / 1000)
        .setTotalUs((System.nanoTime() - start) / 1000)
        .setBatchSize(outcome.batch().batchItems()));
    return b.build();
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> out) {
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
    for (ModelStatus s : registry.list()) {
      b.addModels(ModelStatusProtos.toProto(s));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  /** Blocking: fetching, verifying and warming a model up takes seconds. */
  @Override
  @Blocking
  public void loadModel(LoadModelRequest request, StreamObserver<LoadModelResponse> out) {
    long start = System.nanoTime();
    try {
      ModelSource source = ModelSource.of(request.getStoreKey(), request.getName());
      ModelStatus status = registry.load(source, request.getReplace());
      metrics.requestFinished(source.name(), "LoadModel", Status.Code.OK, System.nanoTime() - start);
      out.onNext(LoadModelResponse.newBuilder().setModel(ModelStatusProtos.toProto(status)).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      Status status = GrpcStatuses.toStatus(e);
      metrics.requestFinished(null, "LoadModel", status.getCode(), System.nanoTime() - start);
      out.onError(status.asRuntimeException());
    }
  }

  /** Blocking: waits for the model's queued requests to finish. */
  @Override
  @Blocking
  public void unloadModel(UnloadModelRequest request, StreamObserver<UnloadModelResponse> out) {
    try {
      if (request.getName().isEmpty()) {
        throw new InvalidRequestException("name is empty; name the model to unload (ListModels)");
      }
      ModelStatus status = registry.unload(request.getName());
      out.onNext(UnloadModelResponse.newBuilder().setModel(ModelStatusProtos.toProto(status)).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(GrpcStatuses.toStatus(e).asRuntimeException());
    }
  }
}
