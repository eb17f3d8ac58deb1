package dev.vvtq.qat.distributed;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The part of the MPI C API the trainer uses, as JNA maps it. Handles ({@code MPI_Comm},
 * {@code MPI_Datatype}, {@code MPI_Op}) are pointers in Open MPI's ABI; {@link Mpi} finds them.
 */
interface MpiLibrary extends Library {
  int MPI_Initialized(IntByReference flag);

  int MPI_Finalized(IntByReference flag);

  int MPI_Init_thread(Pointer argc, Pointer argv, int required, IntByReference provided);

  int MPI_Comm_rank(Pointer comm, IntByReference rank);

  int MPI_Comm_size(Pointer comm, IntByReference size);

  int MPI_Allreduce(Pointer sendbuf, Pointer recvbuf, int count, Pointer datatype, Pointer op, Pointer comm);

  int MPI_Bcast(Pointer buffer, int count, Pointer datatype, int root, Pointer comm);

  int MPI_Barrier(Pointer comm);

  int MPI_Abort(Pointer comm, int errorcode);

  int MPI_Finalize();

  int MPI_Error_string(int errorcode, byte[] string, IntByReference resultlen);
}
