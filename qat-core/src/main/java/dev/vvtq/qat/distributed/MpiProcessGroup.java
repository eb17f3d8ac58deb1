package dev.vvtq.qat.distributed;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;

/**
 * {@code MPI_COMM_WORLD} of Open MPI, through JNA. Collectives run on the caller's thread and
 * operate on direct buffers in place (no copy to the Java heap). Created once per process:
 * MPI can be initialised only once.
 */
public final class MpiProcessGroup implements ProcessGroup {
  private static MpiProcessGroup world;

  private final Mpi mpi;
  private final int rank;
  private final int size;
  private boolean closed;

  private MpiProcessGroup(Mpi mpi) {
    this.mpi = mpi;
    IntByReference flag = new IntByReference();
    mpi.check(mpi.api.MPI_Initialized(flag), "MPI_Initialized");
    if (flag.getValue() == 0) {
      IntByReference provided = new IntByReference();
      mpi.check(mpi.api.MPI_Init_thread(Pointer.NULL, Pointer.NULL, Mpi.THREAD_SERIALIZED, provided), "MPI_Init_thread");
      if (provided.getValue() < Mpi.THREAD_SERIALIZED) {
        throw new IllegalStateException("Open MPI provides thread level " + provided.getValue()
            + ", the trainer needs MPI_THREAD_SERIALIZED (" + Mpi.THREAD_SERIALIZED + ")");
      }
    }
    IntByReference r = new IntByReference();
    IntByReference s = new IntByReference();
    mpi.check(mpi.api.MPI_Comm_rank(mpi.commWorld, r), "MPI_Comm_rank");
    mpi.check(mpi.api.MPI_Comm_size(mpi.commWorld, s), "MPI_Comm_size");
    this.rank = r.getValue();
    this.size = s.getValue();
  }

  /**
   * The world of this process, initialising MPI on first use (under mpirun: the job's ranks;
   * without it, Open MPI's singleton of size 1). Throws naming what to install when Open MPI is absent.
   */
  public static synchronized MpiProcessGroup world() {
    if (world == null) {
      world = new MpiProcessGroup(Mpi.load());
    }
    return world;
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public synchronized void sumFloatsInPlace(ByteBuffer direct) {
    int count = direct.remaining() / Float.BYTES;
    if (count == 0) {
      return;
    }
    mpi.check(mpi.api.MPI_Allreduce(Mpi.IN_PLACE, address(direct), count, mpi.floatType, mpi.sum, mpi.commWorld),
        "MPI_Allreduce of " + count + " floats");
  }

  @Override
  public synchronized void sumInPlace(double[] values) {
    if (values.length == 0) {
      return;
    }
    try (Memory m = new Memory((long) values.length * Double.BYTES)) {
      m.write(0, values, 0, values.length);
      mpi.check(mpi.api.MPI_Allreduce(Mpi.IN_PLACE, m, values.length, mpi.doubleType, mpi.sum, mpi.commWorld),
          "MPI_Allreduce of " + values.length + " doubles");
      m.read(0, values, 0, values.length);
    }
  }

  @Override
  public synchronized void broadcastFromRoot(ByteBuffer direct) {
    int bytes = direct.remaining();
    if (bytes == 0) {
      return;
    }
    mpi.check(mpi.api.MPI_Bcast(address(direct), bytes, mpi.byteType, 0, mpi.commWorld), "MPI_Bcast of " + bytes + " bytes");
  }

  @Override
  public synchronized void barrier() {
    mpi.check(mpi.api.MPI_Barrier(mpi.commWorld), "MPI_Barrier");
  }

  @Override
  public void abort(String reason, int exitCode) {
    System.err.println("vvtq: rank " + rank + " of " + size + " failed: " + reason);
    System.err.flush();
    // Not synchronized: a rank blocked in a collective holds the lock, and abort must still get through.
    mpi.api.MPI_Abort(mpi.commWorld, exitCode);
    Runtime.getRuntime().halt(exitCode);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    IntByReference flag = new IntByReference();
    mpi.check(mpi.api.MPI_Finalized(flag), "MPI_Finalized");
    if (flag.getValue() == 0) {
      mpi.check(mpi.api.MPI_Finalize(), "MPI_Finalize");
    }
  }

  private static Pointer address(ByteBuffer direct) {
    if (!direct.isDirect()) {
      throw new IllegalArgumentException("MPI collectives need a direct buffer (a heap buffer would be copied)");
    }
    return Native.getDirectBufferPointer(direct).share(direct.position());
  }
}
