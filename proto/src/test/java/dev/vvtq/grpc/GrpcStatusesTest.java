package dev.vvtq.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.vvtq.artifacts.errors.ConflictException;
import dev.vvtq.artifacts.errors.ErrorKind;
import dev.vvtq.artifacts.errors.IntegrityException;
import dev.vvtq.artifacts.errors.NotFoundException;
import dev.vvtq.artifacts.store.ArtifactIntegrityException;
import dev.vvtq.artifacts.store.ArtifactNotFoundException;
import dev.vvtq.artifacts.store.ArtifactStoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.EnumSet;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class GrpcStatusesTest {
  @Test
  void libraryErrorsMapByKindWithTheirOwnMessage() {
    Status s = GrpcStatuses.toStatus(new NotFoundException("no checkpoint at 'runs/x'"));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("no checkpoint at 'runs/x'", s.getDescription());
    assertEquals(Status.Code.ALREADY_EXISTS, GrpcStatuses.toStatus(new ConflictException("taken")).getCode());
    assertEquals(Status.Code.DATA_LOSS, GrpcStatuses.toStatus(new IntegrityException("bad sha")).getCode());
    // Store exceptions are IOExceptions, yet not "unavailable" when they know their kind.
    assertEquals(Status.Code.NOT_FOUND, GrpcStatuses.toStatus(new ArtifactNotFoundException("k", "none")).getCode());
    assertEquals(Status.Code.DATA_LOSS, GrpcStatuses.toStatus(new ArtifactIntegrityException("k", "bad")).getCode());
    assertEquals(Status.Code.UNAVAILABLE, GrpcStatuses.toStatus(new ArtifactStoreException("k", "down")).getCode());
  }

  @Test
  void wrappersAreUnwrappedAndStatusesPassThrough() {
    assertEquals(Status.Code.NOT_FOUND,
        GrpcStatuses.toStatus(new CompletionException(new NotFoundException("gone"))).getCode());
    StatusRuntimeException own = Status.ABORTED.withDescription("x").asRuntimeException();
    assertSame(own, GrpcStatuses.toException(new CompletionException(own)));
    assertEquals(Status.Code.INVALID_ARGUMENT, GrpcStatuses.toStatus(new IllegalArgumentException("bad")).getCode());
    Status internal = GrpcStatuses.toStatus(new IllegalStateException("bug"));
    assertEquals(Status.Code.INTERNAL, internal.getCode());
    assertEquals("internal error: java.lang.IllegalStateException: bug", internal.getDescription());
  }

  @Test
  void everyKindHasItsOwnCode() {
    EnumSet<Status.Code> codes = EnumSet.noneOf(Status.Code.class);
    for (ErrorKind k : ErrorKind.values()) {
      codes.add(GrpcStatuses.codeOf(k));
    }
    assertEquals(ErrorKind.values().length, codes.size());
  }
}
