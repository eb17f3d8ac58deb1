package dev.vvtq.qat.distributed;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Open MPI's libmpi loaded through JNA, with the handles of its ABI. Loading it is the only place
 * that needs Open MPI installed; a process that never builds a {@link MpiProcessGroup} never gets here.
 */
final class Mpi {
  /** {@code MPI_THREAD_SERIALIZED}: any thread may call, one at a time (shutdown hooks run on their own thread). */
  static final int THREAD_SERIALIZED = 2;

  /** Open MPI's {@code MPI_IN_PLACE} is the address 1. */
  static final Pointer IN_PLACE = new Pointer(1);

  /** What to install, named in every failure to load. */
  static final String INSTALL_HINT = "install Open MPI 4.1 (Debian: apt-get install openmpi-bin libopenmpi-dev,"
      + " or scripts/install-system-packages)";

  private static final String[] LIBRARY_NAMES = {"libmpi.so.40", "mpi"};
  // dlopen flags: the MCA components that libmpi opens later resolve its symbols globally.
  private static final int RTLD_NOW = 0x2;
  private static final int RTLD_GLOBAL = 0x100;

  final MpiLibrary api;
  final Pointer commWorld;
  final Pointer floatType;
  final Pointer doubleType;
  final Pointer intType;
  final Pointer byteType;
  final Pointer sum;
  final Pointer max;

  private Mpi(NativeLibrary lib) {
    this.api = Native.load(lib.getName(), MpiLibrary.class, options());
    this.commWorld = lib.getGlobalVariableAddress("ompi_mpi_comm_world");
    this.floatType = lib.getGlobalVariableAddress("ompi_mpi_float");
    this.doubleType = lib.getGlobalVariableAddress("ompi_mpi_double");
    this.intType = lib.getGlobalVariableAddress("ompi_mpi_int");
    this.byteType = lib.getGlobalVariableAddress("ompi_mpi_byte");
    this.sum = lib.getGlobalVariableAddress("ompi_mpi_op_sum");
    this.max = lib.getGlobalVariableAddress("ompi_mpi_op_max");
  }

  private static Map<String, Object> options() {
    return Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL);
  }

  /** Loads libmpi; throws {@link IllegalStateException} naming what to install when it is missing. */
  static Mpi load() {
    UnsatisfiedLinkError last = null;
    for (String name : LIBRARY_NAMES) {
      try {
        return new Mpi(NativeLibrary.getInstance(name, options()));
      } catch (UnsatisfiedLinkError e) {
        last = e;
      }
    }
    throw new IllegalStateException("distributed training needs Open MPI's libmpi.so.40, which could not be loaded ("
        + (last == null ? "not found" : last.getMessage()) + "): " + INSTALL_HINT, last);
  }

  /** Throws naming the call and MPI's own message when {@code code} is not MPI_SUCCESS. */
  void check(int code, String call) {
    if (code != 0) {
      byte[] text = new byte[256];
      IntByReference len = new IntByReference();
      String message = api.MPI_Error_string(code, text, len) == 0
          ? new String(text, 0, Math.max(0, Math.min(len.getValue(), text.length)), StandardCharsets.US_ASCII)
          : "error " + code;
      throw new IllegalStateException(call + " failed: " + message);
    }
  }
}
