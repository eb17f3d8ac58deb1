package dev.vvtq.inference.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.serving.TopK;
import dev.vvtq.inference.tensor.RawTensors;
import dev.vvtq.inference.testing.GrpcClients;
import dev.vvtq.inference.testing.ModelStoreResource;
import dev.vvtq.inference.testing.ReferenceModels;
import dev.vvtq.inference.testing.TestImages;
import dev.vvtq.proto.inference.InferParameter;
import dev.vvtq.proto.inference.InferTensorContents;
import dev.vvtq.proto.inference.ModelInferRequest;
import dev.vvtq.proto.inference.ModelInferRequest.InferInputTensor;
import dev.vvtq.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import dev.vvtq.proto.inference.ModelInferResponse;
import dev.vvtq.proto.inference.ModelInferResponse.InferOutputTensor;
import dev.vvtq.proto.inference.ModelMetadataRequest;
import dev.vvtq.proto.inference.ModelMetadataResponse;
import dev.vvtq.proto.inference.ModelReadyRequest;
import dev.vvtq.proto.inference.ServerLiveRequest;
import dev.vvtq.proto.inference.ServerMetadataRequest;
import dev.vvtq.proto.inference.ServerMetadataResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

@QuarkusTest
@QuarkusTestResource(ModelStoreResource.class)
class InferenceGrpcServiceTest {
  private static final String KEY = ModelStoreResource.TINY_KEY;

  @Inject
  GrpcServer grpcServer;

  @ConfigProperty(name = "vvtq.test.store-root")
  Path storeRoot;

  private GrpcClients clients;
  private ReferenceModels reference;
  private ModelDescription tiny;

  @BeforeEach
  void connect() throws Exception {
    clients = new GrpcClients(grpcServer.getPort());
    clients.awaitServerReady();
    reference = new ReferenceModels(storeRoot);
    tiny = reference.description(KEY);
  }

  @AfterEach
  void disconnect() throws Exception {
    clients.close();
    reference.close();
  }

  @Test
  void serverIsLiveAndReadyWithMetadata() {
    assertTrue(clients.inference().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    ServerMetadataResponse meta = clients.inference().serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertEquals("vvtq-inference", meta.getName());
    assertFalse(meta.getVersion().isEmpty());
  }

  @Test
  void modelReadyAnswersForLoadedModelsAndNotFoundForOthers() {
    assertTrue(clients.inference().modelReady(ModelReadyRequest.newBuilder().setName("tiny").build()).getReady());
    assertTrue(clients.inference().modelReady(ModelReadyRequest.newBuilder().setName("tiny").setVersion("1").build()).getReady());
    assertStatus(Status.Code.NOT_FOUND, "unknown model 'nope'",
        () -> clients.inference().modelReady(ModelReadyRequest.newBuilder().setName("nope").build()));
    assertStatus(Status.Code.NOT_FOUND, "no version '7'",
        () -> clients.inference().modelReady(ModelReadyRequest.newBuilder().setName("tiny").setVersion("7").build()));
  }

  @Test
  void modelMetadataDescribesInputsAndOutputs() {
    ModelMetadataResponse m = clients.inference().modelMetadata(ModelMetadataRequest.newBuilder().setName("tiny").build());
    assertEquals("tiny", m.getName());
    assertEquals(List.of("1"), m.getVersionsList());
    assertEquals("images", m.getInputs(0).getName());
    assertEquals("FP32", m.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, 3L, 32L, 32L), m.getInputs(0).getShapeList());
    assertEquals("image_bytes", m.getInputs(1).getName());
    assertEquals("BYTES", m.getInputs(1).getDatatype());
    assertEquals(List.of(-1L), m.getInputs(1).getShapeList());
    assertEquals("logits", m.getOutputs(0).getName());
    assertEquals(List.of(-1L, 10L), m.getOutputs(0).getShapeList());
    assertEquals(List.of("logits", "top_k_classes", "top_k_probabilities", "top_k_labels"),
        m.getOutputsList().stream().map(ModelMetadataResponse.TensorMetadata::getName).toList());
    assertStatus(Status.Code.NOT_FOUND, "unknown model 'nope'",
        () -> clients.inference().modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
  }

  @Test
  void typedFp32InputGivesTheEnginesLogitsAndTopK() throws Exception {
    float[] images = randomImages(2, 1);
    ModelInferResponse r = clients.inference().modelInfer(fp32Request(images, 2, false).setId("req-1").build());
    assertEquals("tiny", r.getModelName());
    assertEquals("1", r.getModelVersion());
    assertEquals("req-1", r.getId());
    assertEquals(0, r.getRawOutputContentsCount());
    float[] expected = reference.engineLogits(KEY, images, 2);
    InferOutputTensor logits = output(r, "logits");
    assertEquals(List.of(2L, 10L), logits.getShapeList());
    float[] got = toArray(logits.getContents().getFp32ContentsList());
    assertArrayEquals(expected, got);
    reference.assertMatchesReference(KEY, images, 2, got);

    InferOutputTensor classes = output(r, "top_k_classes");
    assertEquals("INT64", classes.getDatatype());
    assertEquals(List.of(2L, 5L), classes.getShapeList());
    float[] p0 = TopK.softmax(expected, 0, 10);
    int[] best0 = TopK.indices(p0, 5);
    for (int j = 0; j < 5; j++) {
      assertEquals(best0[j], classes.getContents().getInt64Contents(j));
      assertEquals(p0[best0[j]], output(r, "top_k_probabilities").getContents().getFp32Contents(j), 1e-7);
      assertEquals("class_" + best0[j], output(r, "top_k_labels").getContents().getBytesContents(j).toStringUtf8());
    }
  }

  @Test
  void rawInputsGetRawOutputsInTheRequestedOrder() throws Exception {
    float[] images = randomImages(3, 2);
    ModelInferRequest request = fp32Request(images, 3, true)
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("top_k_labels")
            .putParameters("top_k", InferParameter.newBuilder().setInt64Param(2).build()))
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits"))
        .build();
    ModelInferResponse r = clients.inference().modelInfer(request);
    assertEquals(2, r.getOutputsCount());
    assertEquals(2, r.getRawOutputContentsCount());
    assertEquals("top_k_labels", r.getOutputs(0).getName());
    assertEquals(List.of(3L, 2L), r.getOutputs(0).getShapeList());
    assertFalse(r.getOutputs(0).hasContents());
    List<ByteString> labels = RawTensors.readBytesElements(r.getRawOutputContents(0), "labels");
    assertEquals(6, labels.size());
    float[] expected = reference.engineLogits(KEY, images, 3);
    float[] logits = new float[30];
    ByteBuffer.wrap(r.getRawOutputContents(1).toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
    assertArrayEquals(expected, logits);
    reference.assertMatchesReference(KEY, images, 3, logits);
    int[] best = TopK.indices(TopK.softmax(expected, 10, 10), 2);
    assertEquals("class_" + best[0], labels.get(2).toStringUtf8());
  }

  @Test
  void encodedImagesArePreprocessedLikeEvaluation() throws Exception {
    byte[] a = TestImages.png(48, 40, 1);
    byte[] b = TestImages.png(30, 50, 2);
    EvalPreprocessor pre = tiny.evalPreprocessor();
    float[] images = new float[2 * tiny.imageElements()];
    System.arraycopy(pre.preprocess(a, "a"), 0, images, 0, tiny.imageElements());
    System.arraycopy(pre.preprocess(b, "b"), 0, images, tiny.imageElements(), tiny.imageElements());
    float[] expected = reference.engineLogits(KEY, images, 2);
    reference.assertMatchesReference(KEY, images, 2, expected);

    ModelInferRequest typed = ModelInferRequest.newBuilder().setModelName("tiny")
        .addInputs(InferInputTensor.newBuilder().setName("image_bytes").setDatatype("BYTES").addShape(2)
            .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(a))
                .addBytesContents(ByteString.copyFrom(b))))
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits"))
        .build();
    assertArrayEquals(expected, toArray(clients.inference().modelInfer(typed).getOutputs(0).getContents().getFp32ContentsList()));

    ModelInferRequest raw = ModelInferRequest.newBuilder().setModelName("tiny")
        .addInputs(InferInputTensor.newBuilder().setName("image_bytes").setDatatype("BYTES").addShape(2).addShape(1))
        .addRawInputContents(RawTensors.bytesElements(List.of(ByteString.copyFrom(a), ByteString.copyFrom(b))))
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits"))
        .build();
    float[] got = new float[20];
    ByteBuffer.wrap(clients.inference().modelInfer(raw).getRawOutputContents(0).toByteArray())
        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
    assertArrayEquals(expected, got);
  }

  @Test
  void badShapeIsInvalidArgument() {
    ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("tiny")
        .addInputs(InferInputTensor.newBuilder().setName("images").setDatatype("FP32").addShape(1).addShape(3).addShape(28).addShape(28)
            .setContents(InferTensorContents.newBuilder().addAllFp32Contents(java.util.Collections.nCopies(3 * 28 * 28, 0f))))
        .build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "input 'images' has shape [1, 3, 28, 28]; this model takes [N,3,32,32]",
        () -> clients.inference().modelInfer(r));
  }

  @Test
  void wrongDatatypeIsInvalidArgument() {
    ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("tiny")
        .addInputs(InferInputTensor.newBuilder().setName("images").setDatatype("INT8").addShape(1).addShape(3).addShape(32).addShape(32))
        .addRawInputContents(ByteString.copyFrom(new byte[3 * 32 * 32]))
        .build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "input 'images' must have datatype FP32, got 'INT8'",
        () -> clients.inference().modelInfer(r));
  }

  @Test
  void rawLengthMismatchIsInvalidArgument() {
    ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("tiny")
        .addInputs(InferInputTensor.newBuilder().setName("images").setDatatype("FP32").addShape(2).addShape(3).addShape(32).addShape(32))
        .addRawInputContents(ByteString.copyFrom(new byte[3 * 32 * 32 * 4]))
        .build();
    assertStatus(Status.Code.INVALID_ARGUMENT,
        "raw_input_contents[0] has 12288 bytes, but input 'images' of shape [2, 3, 32, 32] and datatype FP32 needs 24576",
        () -> clients.inference().modelInfer(r));
  }

  @Test
  void undecodableImageIsInvalidArgumentWithTheDecodersReason() {
    ModelInferRequest r = ModelInferRequest.newBuilder().setModelName("tiny")
        .addInputs(InferInputTensor.newBuilder().setName("image_bytes").setDatatype("BYTES").addShape(2)
            .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(TestImages.png(8, 8, 3)))
                .addBytesContents(ByteString.copyFromUtf8("definitely not an image"))))
        .build();
    assertStatus(Status.Code.INVALID_ARGUMENT, "image_bytes[1]: cannot decode image: unrecognised format",
        () -> clients.inference().modelInfer(r));
  }

  @Test
  void unknownModelIsNotFoundAndOtherMistakesAreNamed() {
    float[] images = randomImages(1, 4);
    assertStatus(Status.Code.NOT_FOUND, "unknown model 'nope'; models: tiny",
        () -> clients.inference().modelInfer(fp32Request(images, 1, false).setModelName("nope").build()));
    assertStatus(Status.Code.NOT_FOUND, "model 'tiny' has no version '2'",
        () -> clients.inference().modelInfer(fp32Request(images, 1, false).setModelVersion("2").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "model_name is empty",
        () -> clients.inference().modelInfer(fp32Request(images, 1, false).setModelName("").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "unknown output 'probs'",
        () -> clients.inference().modelInfer(fp32Request(images, 1, false)
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("probs")).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "unknown input 'pixels'",
        () -> clients.inference().modelInfer(ModelInferRequest.newBuilder().setModelName("tiny")
            .addInputs(InferInputTensor.newBuilder().setName("pixels").setDatatype("FP32")).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "top_k must be >= 1, got 0",
        () -> clients.inference().modelInfer(fp32Request(images, 1, false)
            .putParameters("top_k", InferParameter.newBuilder().setInt64Param(0).build()).build()));
  }

  private ModelInferRequest.Builder fp32Request(float[] images, int n, boolean raw) {
    InferInputTensor.Builder input = InferInputTensor.newBuilder().setName("images").setDatatype("FP32")
        .addShape(n).addShape(3).addShape(32).addShape(32);
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("tiny");
    if (raw) {
      b.addRawInputContents(RawTensors.floats(images, 0, images.length));
    } else {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      for (float v : images) {
        c.addFp32Contents(v);
      }
      input.setContents(c);
    }
    return b.addInputs(input);
  }

  private float[] randomImages(int n, long seed) {
    Random rnd = new Random(seed);
    float[] images = new float[n * tiny.imageElements()];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) rnd.nextGaussian();
    }
    return images;
  }

  private static InferOutputTensor output(ModelInferResponse r, String name) {
    return r.getOutputsList().stream().filter(o -> o.getName().equals(name)).findFirst().orElseThrow();
  }

  private static float[] toArray(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  static void assertStatus(Status.Code code, String messagePart, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    String description = String.valueOf(e.getStatus().getDescription());
    assertTrue(description.contains(messagePart), "'" + description + "' should contain '" + messagePart + "'");
  }

  @Test
  void unparseableRequestBytesAreInvalidArgumentOnEveryService() {
    for (io.grpc.MethodDescriptor<?, ?> m : List.of(dev.vvtq.proto.inference.GRPCInferenceServiceGrpc.getModelInferMethod(),
        dev.vvtq.proto.inference.GRPCInferenceServiceGrpc.getModelMetadataMethod(), dev.vvtq.proto.v1.ClassifierGrpc.getClassifyMethod())) {
      assertStatus(Status.Code.INVALID_ARGUMENT, "the request is not a valid " + m.getFullMethodName() + " message",
          () -> sendRaw(clients.channel(), m, NOT_PROTOBUF));
    }
  }

  /** Sends {@code bytes} as the request of {@code method}, as a client with a broken serializer would. */
  private static void sendRaw(io.grpc.Channel channel, io.grpc.MethodDescriptor<?, ?> method, byte[] bytes) {
    io.grpc.MethodDescriptor.Marshaller<byte[]> raw = new io.grpc.MethodDescriptor.Marshaller<>() {
      @Override
      public java.io.InputStream stream(byte[] value) {
        return new java.io.ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(java.io.InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    io.grpc.MethodDescriptor<byte[], byte[]> rawMethod = method.toBuilder(raw, raw).build();
    if (rawMethod.getType() == io.grpc.MethodDescriptor.MethodType.UNARY) {
      io.grpc.stub.ClientCalls.blockingUnaryCall(channel, rawMethod,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS), bytes);
    } else {
      io.grpc.stub.ClientCalls.blockingServerStreamingCall(channel, rawMethod,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS), bytes).forEachRemaining(b -> { });
    }
  }

  /** Not a protobuf message: field 1 with wire type 7, which does not exist. */
  private static final byte[] NOT_PROTOBUF = {(byte) 0x0F, (byte) 0xFF, (byte) 0xFF, 0x01};
}
