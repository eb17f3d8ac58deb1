package dev.vvtq.inference.grpc;

import dev.vvtq.grpc.GrpcStatuses;
import dev.vvtq.grpc.MalformedRequests;
import dev.vvtq.inference.app.StartupModels;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.registry.LoadedModel;
import dev.vvtq.inference.registry.ModelNotFoundException;
import dev.vvtq.inference.registry.ModelRegistry;
import dev.vvtq.inference.registry.ModelStatus;
import dev.vvtq.inference.serving.ImageSizeGuard;
import dev.vvtq.inference.serving.InferencePipeline;
import dev.vvtq.inference.serving.InvalidRequestException;
import dev.vvtq.inference.tensor.InferRequestReader;
import dev.vvtq.inference.tensor.InferResponseWriter;
import dev.vvtq.inference.tensor.KServeTensors;
import dev.vvtq.proto.inference.GRPCInferenceServiceGrpc;
import dev.vvtq.proto.inference.ModelInferRequest;
import dev.vvtq.proto.inference.ModelInferResponse;
import dev.vvtq.proto.inference.ModelMetadataRequest;
import dev.vvtq.proto.inference.ModelMetadataResponse.TensorMetadata;
import dev.vvtq.proto.inference.ModelMetadataResponse;
import dev.vvtq.proto.inference.ModelReadyRequest;
import dev.vvtq.proto.inference.ModelReadyResponse;
import dev.vvtq.proto.inference.ServerLiveRequest;
import dev.vvtq.proto.inference.ServerLiveResponse;
import dev.vvtq.proto.inference.ServerMetadataRequest;
import dev.vvtq.proto.inference.ServerMetadataResponse;
import dev.vvtq.proto.inference.ServerReadyRequest;
import dev.vvtq.proto.inference.ServerReadyResponse;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Open Inference Protocol v2 endpoints. Validation and translation only: the registry finds the
 * model, {@link InferRequestReader} checks the tensors, the pipeline batches and computes.
 */
@GrpcService
public class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  /** The platform string of ModelMetadata: the project's integer engine. */
  static final String PLATFORM = "vvtq_int";
  static final String SERVER_NAME = "vvtq-inference";

  private final ModelRegistry registry;
  private final InferencePipeline pipeline;
  private final StartupModels startup;
  private final RequestMetrics metrics;
  private final ImageSizeGuard imageGuard;
  private final String version;

  public InferenceGrpcService(ModelRegistry registry, InferencePipeline pipeline, StartupModels startup,
      RequestMetrics metrics, ImageSizeGuard imageGuard, @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.registry = registry;
    this.pipeline = pipeline;
    this.startup = startup;
    this.metrics = metrics;
    this.imageGuard = imageGuard;
    this.version = version;
  }

  /** Unparseable request bytes answer INVALID_ARGUMENT, not grpc-java's UNKNOWN. */
  @Override
  public ServerServiceDefinition bindService() {
    return MalformedRequests.refuse(super.bindService());
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
    reply(out, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
    reply(out, ServerReadyResponse.newBuilder().setReady(startup.ready()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
    try {
      ModelStatus s = knownModel(request.getName(), request.getVersion());
      reply(out, ModelReadyResponse.newBuilder().setReady(s.state() == dev.vvtq.inference.registry.ModelState.READY).build());
    } catch (RuntimeException e) {
      out.onError(GrpcStatuses.toStatus(e).asRuntimeException());
    }
  }

  @Override
  public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
    reply(out, ServerMetadataResponse.newBuilder().setName(SERVER_NAME).setVersion(version).build());
  }

  @Override
  public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
    try {
      ModelStatus s = knownModel(request.getName(), request.getVersion());
      ModelDescription d = s.description();
      if (d == null) {
        throw Status.UNAVAILABLE.withDescription("model '" + s.name() + "' is " + s.state()
            + "; its metadata is known once it has loaded").asRuntimeException();
      }
      int size = d.inputSize();
      reply(out, ModelMetadataResponse.newBuilder()
          .setName(s.name())
          .addVersions(s.version())
          .setPlatform(PLATFORM)
          .addInputs(tensor(KServeTensors.IMAGES, KServeTensors.FP32, -1, 3, size, size))
          .addInputs(tensor(KServeTensors.IMAGE_BYTES, KServeTensors.BYTES, -1))
          .addOutputs(tensor(KServeTensors.LOGITS, KServeTensors.FP32, -1, d.numClasses()))
          .addOutputs(tensor(KServeTensors.TOP_K_CLASSES, KServeTensors.INT64, -1, -1))
          .addOutputs(tensor(KServeTensors.TOP_K_PROBABILITIES, KServeTensors.FP32, -1, -1))
          .addOutputs(tensor(KServeTensors.TOP_K_LABELS, KServeTensors.BYTES, -1, -1))
          .build());
    } catch (RuntimeException e) {
      out.onError(GrpcStatuses.toStatus(e).asRuntimeException());
    }
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
    long start = System.nanoTime();
    String modelTag = null;
    try {
      if (request.getModelName().isEmpty()) {
        throw new InvalidRequestException("model_name is empty; name one of the loaded models (ListModels)");
      }
      LoadedModel model = registry.require(request.getModelName(), request.getModelVersion());
      modelTag = model.name();
      InferRequestReader.Parsed parsed = InferRequestReader.read(request, model.description(), model.preprocessor(), imageGuard);
      CallContext call = CallContext.current();
      String tag = modelTag;
      pipeline.submit(model, parsed.n(), parsed.inputs(), call.deadlineNanos(), call.cancelled())
          .whenComplete((outcome, failure) -> {
            if (failure != null) {
              fail(out, tag, start, failure);
              return;
            }
            ModelInferResponse response;
            try {
              response = InferResponseWriter.write(request, model.version(), model.description().classNames(), parsed, outcome);
            } catch (RuntimeException e) {
              fail(out, tag, start, e);
              return;
            }
            out.onNext(response);
            out.onCompleted();
            metrics.requestFinished(tag, "ModelInfer", Status.Code.OK, System.nanoTime() - start);
          });
    } catch (RuntimeException e) {
      fail(out, modelTag, start, e);
    }
  }

  private void fail(StreamObserver<?> out, String model, long start, Throwable failure) {
    Status status = GrpcStatuses.toStatus(failure);
    metrics.requestFinished(model, "ModelInfer", status.getCode(), System.nanoTime() - start);
    out.onError(status.asRuntimeException());
  }

  private ModelStatus knownModel(String name, String version) {
    if (name.isEmpty()) {
      throw new InvalidRequestException("name is empty; name one of the loaded models");
    }
    ModelStatus s = registry.get(name);
    if (!version.isEmpty() && !version.equals(s.version())) {
      throw new ModelNotFoundException("model '" + name + "' has no version '" + version + "'; version '"
          + s.version() + "' is loaded");
    }
    return s;
  }

  private static TensorMetadata tensor(String name, String datatype, long... shape) {
    TensorMetadata.Builder b = TensorMetadata.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b.build();
  }

  private static <T> void reply(StreamObserver<T> out, T response) {
    out.onNext(response);
    out.onCompleted();
  }
}
