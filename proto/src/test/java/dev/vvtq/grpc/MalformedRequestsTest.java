package dev.vvtq.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Raw bytes that are no protobuf message, sent through a byte-array ClientCall to a real server. */
class MalformedRequestsTest {
  private static final MethodDescriptor<StringValue, StringValue> ECHO = MethodDescriptor
      .<StringValue, StringValue>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("test.Echo/Say")
      .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
      .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
      .build();

  /** The client side: sends any bytes as the request. */
  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private static final MethodDescriptor<byte[], byte[]> RAW_ECHO = ECHO.toBuilder(RAW, RAW).build();

  /** Not valid protobuf: field 1 with wire type 7 (there is none). */
  private static final byte[] GARBAGE = {(byte) 0x0F, (byte) 0xFF, (byte) 0xFF, 0x01};

  private Server server;
  private ManagedChannel channel;

  private static ServerServiceDefinition echoService() {
    return ServerServiceDefinition.builder(ServiceDescriptor.newBuilder("test.Echo").addMethod(ECHO).build())
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((StringValue in, io.grpc.stub.StreamObserver<StringValue> out) -> {
          out.onNext(StringValue.of("echo " + in.getValue()));
          out.onCompleted();
        }))
        .build();
  }

  private void start(ServerServiceDefinition service) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private StatusRuntimeException sendGarbage() {
    return assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, RAW_ECHO, CallOptions.DEFAULT, GARBAGE));
  }

  @Test
  void withoutTheWrapperGrpcAnswersUnknown() throws IOException {
    start(echoService());
    // What every service answered before: the reason this class exists.
    assertEquals(Status.Code.UNKNOWN, sendGarbage().getStatus().getCode());
  }

  @Test
  void unparseableBytesAreInvalidArgumentNamingTheMethodAndValidOnesStillWork() throws IOException {
    List<String> logged = new ArrayList<>();
    start(MalformedRequests.refuse(echoService(), new BurstLog(capture(logged), 1_000, () -> 0L)));
    StatusRuntimeException e = sendGarbage();
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("the request is not a valid test.Echo/Say message ("),
        e.getStatus().getDescription());
    byte[] ok = ClientCalls.blockingUnaryCall(channel, RAW_ECHO, CallOptions.DEFAULT, StringValue.of("hi").toByteArray());
    assertEquals("echo hi", StringValue.parseFrom(ok).getValue());
    assertEquals(1, logged.size());
  }

  @Test
  void aBurstIsLoggedOnceAndCountedInTheNextWindow() throws IOException {
    List<String> logged = new ArrayList<>();
    long[] now = {0};
    start(MalformedRequests.refuse(echoService(), new BurstLog(capture(logged), 1_000, () -> now[0])));
    for (int i = 0; i < 5; i++) {
      assertEquals(Status.Code.INVALID_ARGUMENT, sendGarbage().getStatus().getCode());
    }
    assertEquals(1, logged.size(), logged.toString());
    now[0] = 1_000;
    sendGarbage();
    assertEquals(2, logged.size(), logged.toString());
    assertTrue(logged.get(1).contains("(4 more in the previous"), logged.get(1));
  }

  @Test
  void theServiceKeepsItsNameMethodsAndSchema() {
    ServerServiceDefinition wrapped = MalformedRequests.refuse(echoService());
    assertEquals("test.Echo", wrapped.getServiceDescriptor().getName());
    assertEquals(1, wrapped.getMethods().size());
    assertEquals("test.Echo/Say", wrapped.getMethods().iterator().next().getMethodDescriptor().getFullMethodName());
  }

  private static Logger capture(List<String> into) {
    Logger logger = Logger.getAnonymousLogger();
    logger.setUseParentHandlers(false);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        into.add(record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    return logger;
  }
}
