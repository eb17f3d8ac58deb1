package dev.vvtq.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Makes a service answer a request whose bytes do not parse as its message with INVALID_ARGUMENT
 * naming the method and the parse error, logged once per burst.
 *
 * <p>Without it grpc-java lets the parse exception escape into its executor: the client gets
 * UNKNOWN "Application error processing RPC" and the log a SEVERE trace per request. An
 * interceptor cannot help, because parsing happens before any listener runs; so the request
 * marshaller of every method is wrapped to hand a parse failure to the call as a value, and the
 * call is closed before the service sees it. Apply it in each service's {@code bindService()}.
 */
public final class MalformedRequests {
  private static final BurstLog LOG = new BurstLog(Logger.getLogger(MalformedRequests.class.getName()),
      TimeUnit.SECONDS.toNanos(60), System::nanoTime);

  private MalformedRequests() {}

  /** The same service, with every method refusing unparseable requests. */
  public static ServerServiceDefinition refuse(ServerServiceDefinition service) {
    return refuse(service, LOG);
  }

  static ServerServiceDefinition refuse(ServerServiceDefinition service, BurstLog log) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      methods.add(tolerant(m, log));
    }
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<Object, RespT> tolerant(ServerMethodDefinition<ReqT, RespT> def,
      BurstLog log) {
    MethodDescriptor<ReqT, RespT> method = def.getMethodDescriptor();
    MethodDescriptor<Object, RespT> lenient = method.toBuilder(
        new ParseOutcomeMarshaller<>(method.getRequestMarshaller()), method.getResponseMarshaller()).build();
    ServerCallHandler<ReqT, RespT> handler = def.getServerCallHandler();
    return ServerMethodDefinition.create(lenient, (call, headers) -> {
      ServerCall.Listener<ReqT> listener = handler.startCall(new TypedCall<>(call, method), headers);
      return new RefusingListener<>(call, listener, method.getFullMethodName(), log);
    });
  }

  /** A request whose bytes did not parse, carried to the call instead of thrown inside grpc-java. */
  private record Unparseable(RuntimeException cause) {
    String reason() {
      Throwable t = cause;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
  }

  /** Parses with the method's own marshaller; a failure becomes an {@link Unparseable} value. */
  private static final class ParseOutcomeMarshaller<ReqT> implements MethodDescriptor.Marshaller<Object> {
    private final MethodDescriptor.Marshaller<ReqT> delegate;

    ParseOutcomeMarshaller(MethodDescriptor.Marshaller<ReqT> delegate) {
      this.delegate = delegate;
    }

    @Override
    @SuppressWarnings("unchecked")
    public InputStream stream(Object value) {
      return delegate.stream((ReqT) value);
    }

    @Override
    public Object parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        return new Unparseable(e);
      }
    }
  }

  /** Closes the call on an unparseable message; forwards everything else to the service's listener. */
  private static final class RefusingListener<ReqT, RespT> extends ServerCall.Listener<Object> {
    private final ServerCall<Object, RespT> call;
    private final ServerCall.Listener<ReqT> delegate;
    private final String methodName;
    private final BurstLog log;
    private boolean refused;

    RefusingListener(ServerCall<Object, RespT> call, ServerCall.Listener<ReqT> delegate, String methodName, BurstLog log) {
      this.call = call;
      this.delegate = delegate;
      this.methodName = methodName;
      this.log = log;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onMessage(Object message) {
      if (refused) {
        return;
      }
      if (message instanceof Unparseable bad) {
        refused = true;
        String reason = bad.reason();
        log.record("refused a request to " + methodName + " whose bytes are not a valid message: " + reason);
        call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid " + methodName
            + " message (" + reason + "); send a serialized message of the method's request type"), new Metadata());
        return;
      }
      delegate.onMessage((ReqT) message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      delegate.onCancel();
    }

    @Override
    public void onComplete() {
      delegate.onComplete();
    }

    @Override
    public void onReady() {
      if (!refused) {
        delegate.onReady();
      }
    }
  }

  /** The call as the service's handler expects it: typed requests, its original method descriptor. */
  private static final class TypedCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
    private final ServerCall<Object, RespT> call;
    private final MethodDescriptor<ReqT, RespT> method;

    TypedCall(ServerCall<Object, RespT> call, MethodDescriptor<ReqT, RespT> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(RespT message) {
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public io.grpc.SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public io.grpc.Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }
}
