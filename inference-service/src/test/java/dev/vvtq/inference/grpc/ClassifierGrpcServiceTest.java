package dev.vvtq.inference.grpc;

import static dev.vvtq.inference.grpc.InferenceGrpcServiceTest.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.serving.TopK;
import dev.vvtq.inference.testing.GrpcClients;
import dev.vvtq.inference.testing.ModelStoreResource;
import dev.vvtq.inference.testing.ReferenceModels;
import dev.vvtq.inference.testing.TestImages;
import dev.vvtq.proto.inference.ModelReadyRequest;
import dev.vvtq.proto.v1.ClassifyRequest;
import dev.vvtq.proto.v1.ClassifyResponse;
import dev.vvtq.proto.v1.ListModelsRequest;
import dev.vvtq.proto.v1.LoadModelRequest;
import dev.vvtq.proto.v1.LoadModelResponse;
import dev.vvtq.proto.v1.ModelState;
import dev.vvtq.proto.v1.ModelStatus;
import dev.vvtq.proto.v1.UnloadModelRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.runtime.GrpcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ModelStoreResource.class)
class ClassifierGrpcServiceTest {
  @Inject
  GrpcServer grpcServer;

  @ConfigProperty(name = "vvtq.test.store-root")
  Path storeRoot;

  private GrpcClients clients;
  private ReferenceModels reference;

  @BeforeEach
  void connect() throws Exception {
    clients = new GrpcClients(grpcServer.getPort());
    clients.awaitServerReady();
    reference = new ReferenceModels(storeRoot);
  }

  @AfterEach
  void disconnect() throws Exception {
    clients.close();
    reference.close();
  }

  private float[] expectedLogits(byte[] png) throws Exception {
    return expectedLogits(ModelStoreResource.TINY_KEY, png);
  }

  private float[] expectedLogits(String key, byte[] png) throws Exception {
    ModelDescription d = reference.description(key);
    return reference.engineLogits(key, d.evalPreprocessor().preprocess(png, "png"), 1);
  }

  /** The top class of a Classify answer is the top class of the engine's logits, with its logit. */
  private static void assertTopClass(float[] logits, ClassifyResponse r) {
    int best = TopK.indices(TopK.softmax(logits, 0, logits.length), 1)[0];
    assertEquals(best, r.getClasses(0).getIndex());
    assertEquals(logits[best], r.getClasses(0).getLogit());
  }

  @Test
  void classifyReturnsTheTopClassesOfTheEnginesLogits() throws Exception {
    byte[] png = TestImages.png(64, 48, 5);
    ClassifyResponse r = clients.classifier().classify(ClassifyRequest.newBuilder()
        .setModel("tiny").setImage(ByteString.copyFrom(png)).setTopK(3).setRequestId("abc").build());
    float[] logits = expectedLogits(png);
    ModelDescription d = reference.description(ModelStoreResource.TINY_KEY);
    reference.assertMatchesReference(ModelStoreResource.TINY_KEY, d.evalPreprocessor().preprocess(png, "png"), 1, logits);
    float[] p = TopK.softmax(logits, 0, logits.length);
    int[] best = TopK.indices(p, 3);
    assertEquals(3, r.getClassesCount());
    for (int j = 0; j < 3; j++) {
      assertEquals(best[j], r.getClasses(j).getIndex());
      assertEquals("class_" + best[j], r.getClasses(j).getLabel());
      assertEquals(p[best[j]], r.getClasses(j).getProbability(), 1e-7);
      assertEquals(logits[best[j]], r.getClasses(j).getLogit());
    }
    assertEquals("abc", r.getRequestId());
    assertEquals("tiny", r.getModel());
    assertEquals("1", r.getModelVersion());
    assertTrue(r.getTiming().getBatchSize() >= 1);
    assertTrue(r.getTiming().getTotalUs() >= r.getTiming().getComputeUs());
  }

  @Test
  void topKDefaultsToFiveAndIsCappedAtTheClassCount() {
    ByteString png = ByteString.copyFrom(TestImages.png(32, 32, 6));
    assertEquals(5, clients.classifier().classify(ClassifyRequest.newBuilder().setModel("tiny").setImage(png).build())
        .getClassesCount());
    assertEquals(10, clients.classifier().classify(ClassifyRequest.newBuilder().setModel("tiny").setImage(png).setTopK(50)
        .build()).getClassesCount());
  }

  @Test
  void classifyErrorsSayWhatIsWrong() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "image is empty",
        () -> clients.classifier().classify(ClassifyRequest.newBuilder().setModel("tiny").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "image: cannot decode image: unrecognised format",
        () -> clients.classifier().classify(ClassifyRequest.newBuilder().setModel("tiny")
            .setImage(ByteString.copyFromUtf8("GIF? no")).build()));
    byte[] jpeg = TestImages.jpeg(32, 32, 9);
    assertStatus(Status.Code.INVALID_ARGUMENT, "image: cannot decode image: truncated JPEG (" + jpeg.length / 2 + " bytes)",
        () -> clients.classifier().classify(ClassifyRequest.newBuilder().setModel("tiny")
            .setImage(ByteString.copyFrom(jpeg, 0, jpeg.length / 2)).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "top_k must be >= 0",
        () -> clients.classifier().classify(ClassifyRequest.newBuilder().setModel("tiny")
            .setImage(ByteString.copyFrom(TestImages.png(8, 8, 1))).setTopK(-2).build()));
    assertStatus(Status.Code.NOT_FOUND, "unknown model 'ghost'",
        () -> clients.classifier().classify(ClassifyRequest.newBuilder().setModel("ghost")
            .setImage(ByteString.copyFrom(TestImages.png(8, 8, 1))).build()));
  }

  @Test
  void classifyStreamAnswersInRequestOrderWithFailuresInPlace() throws Exception {
    List<ClassifyResponse> answers = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> error = new AtomicReference<>();
    StreamObserver<ClassifyRequest> requests = clients.classifierAsync().classifyStream(new StreamObserver<>() {
      @Override
      public void onNext(ClassifyResponse value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        error.set(t);
        done.countDown();
      }

      @Override
      public void onCompleted() {
        done.countDown();
      }
    });
    List<byte[]> images = new ArrayList<>();
    int count = 24;
    for (int i = 0; i < count; i++) {
      // Large and small images alternate, so that later requests often finish preprocessing first.
      byte[] png = i % 3 == 0 ? TestImages.png(400, 300, i) : TestImages.png(20, 20, i);
      images.add(png);
      ClassifyRequest.Builder b = ClassifyRequest.newBuilder().setModel("tiny").setRequestId("r" + i).setTopK(1);
      b.setImage(i == 7 ? ByteString.copyFromUtf8("broken") : ByteString.copyFrom(png));
      requests.onNext(b.build());
    }
    requests.onCompleted();
    assertTrue(done.await(30, TimeUnit.SECONDS));
    assertEquals(null, error.get());
    assertEquals(count, answers.size());
    for (int i = 0; i < count; i++) {
      ClassifyResponse a = answers.get(i);
      assertEquals("r" + i, a.getRequestId());
      if (i == 7) {
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), a.getError().getCode());
        assertTrue(a.getError().getMessage().contains("cannot decode image"), a.getError().getMessage());
        assertEquals(0, a.getClassesCount());
      } else {
        assertFalse(a.hasError(), a.getError().getMessage());
        float[] logits = expectedLogits(images.get(i));
        assertEquals(TopK.indices(TopK.softmax(logits, 0, logits.length), 1)[0], a.getClasses(0).getIndex());
      }
    }
  }

  @Test
  void modelsCanBeLoadedListedReplacedAndUnloadedAtRunTime() throws Exception {
    LoadModelResponse loaded = clients.classifier().loadModel(LoadModelRequest.newBuilder()
        .setStoreKey(ModelStoreResource.SPARE_KEY).build());
    ModelStatus spare = loaded.getModel();
    assertEquals("spare", spare.getName());
    assertEquals("3", spare.getVersion());
    assertEquals(ModelState.MODEL_STATE_READY, spare.getState());
    assertEquals(32, spare.getInfo().getInputSize());
    assertEquals(10, spare.getInfo().getClassNamesCount());
    assertEquals(64, spare.getInfo().getSha256().length());
    assertEquals(5, spare.getQueueCapacity(), "per-model batching settings apply");
    assertTrue(clients.inference().modelReady(ModelReadyRequest.newBuilder().setName("spare").build()).getReady());
    byte[] png = TestImages.png(32, 32, 9);
    float[] spareLogits = expectedLogits(ModelStoreResource.SPARE_KEY, png);
    float[] tinyLogits = expectedLogits(png);
    assertFalse(java.util.Arrays.equals(spareLogits, tinyLogits), "the two fixture models differ");
    assertTopClass(spareLogits, clients.classifier().classify(ClassifyRequest.newBuilder().setModel("spare")
        .setImage(ByteString.copyFrom(png)).build()));

    List<ModelStatus> listed = clients.classifier().listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
    List<String> names = listed.stream().map(ModelStatus::getName).toList();
    assertTrue(names.containsAll(List.of("spare", "tiny")), names.toString());
    assertEquals(64, listed.stream().filter(m -> m.getName().equals("tiny")).findFirst().orElseThrow().getQueueCapacity());

    assertStatus(Status.Code.ALREADY_EXISTS, "model 'spare' is already loaded",
        () -> clients.classifier().loadModel(LoadModelRequest.newBuilder().setStoreKey(ModelStoreResource.SPARE_KEY).build()));
    ModelStatus replaced = clients.classifier().loadModel(LoadModelRequest.newBuilder()
        .setStoreKey(ModelStoreResource.TINY_KEY).setName("spare").setReplace(true).build()).getModel();
    assertEquals("1", replaced.getVersion());
    ClassifyResponse r = clients.classifier().classify(ClassifyRequest.newBuilder().setModel("spare")
        .setImage(ByteString.copyFrom(png)).build());
    assertEquals("1", r.getModelVersion());
    assertTopClass(tinyLogits, r);

    ModelStatus unloaded = clients.classifier().unloadModel(UnloadModelRequest.newBuilder().setName("spare").build()).getModel();
    assertEquals("spare", unloaded.getName());
    assertStatus(Status.Code.NOT_FOUND, "unknown model 'spare'",
        () -> clients.classifier().classify(ClassifyRequest.newBuilder().setModel("spare")
            .setImage(ByteString.copyFrom(TestImages.png(32, 32, 9))).build()));
    assertStatus(Status.Code.NOT_FOUND, "unknown model 'spare'",
        () -> clients.classifier().unloadModel(UnloadModelRequest.newBuilder().setName("spare").build()));
  }

  @Test
  void loadFailuresAreReportedAndListed() {
    assertStatus(Status.Code.NOT_FOUND, "no published model at 'models/absent/1'",
        () -> clients.classifier().loadModel(LoadModelRequest.newBuilder().setStoreKey("models/absent/1").build()));
    assertStatus(Status.Code.FAILED_PRECONDITION, "holds a 'checkpoint' artifact, not an exported model",
        () -> clients.classifier().loadModel(LoadModelRequest.newBuilder().setStoreKey(ModelStoreResource.CHECKPOINT_KEY)
            .setName("ckpt").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "cannot derive a model name",
        () -> clients.classifier().loadModel(LoadModelRequest.newBuilder().setStoreKey(ModelStoreResource.CHECKPOINT_KEY).build()));
    ModelStatus failed = clients.classifier().listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
        .filter(m -> m.getName().equals("ckpt")).findFirst().orElseThrow();
    assertEquals(ModelState.MODEL_STATE_FAILED, failed.getState());
    assertTrue(failed.getReason().contains("checkpoint"), failed.getReason());
    assertFalse(clients.inference().modelReady(ModelReadyRequest.newBuilder().setName("ckpt").build()).getReady());
    assertStatus(Status.Code.UNAVAILABLE, "model 'ckpt' is FAILED",
        () -> clients.classifier().classify(ClassifyRequest.newBuilder().setModel("ckpt")
            .setImage(ByteString.copyFrom(TestImages.png(8, 8, 1))).build()));
    clients.classifier().unloadModel(UnloadModelRequest.newBuilder().setName("ckpt").build());
    clients.classifier().unloadModel(UnloadModelRequest.newBuilder().setName("absent").build());
  }
}
