package dev.vvtq.qat.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The JNA binding against Open MPI's singleton (one process, no mpirun): every call goes through libmpi. */
class MpiProcessGroupTest {
  @Test
  void singletonCollectivesAreTheIdentity() {
    assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libmpi.so.40")) || Files.exists(Path.of("/usr/lib/libmpi.so.40")),
        "Open MPI is not installed (Debian: openmpi-bin libopenmpi-dev)");
    MpiProcessGroup world = MpiProcessGroup.world();
    assertEquals(1, world.size());
    assertEquals(0, world.rank());
    ByteBuffer floats = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    floats.asFloatBuffer().put(new float[] {1.5f, -2f, 3.25f, 0f});
    world.sumFloatsInPlace(floats);
    float[] back = new float[4];
    floats.asFloatBuffer().get(back);
    assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f}, back);
    double[] d = {0.1, 7};
    world.sumInPlace(d);
    assertArrayEquals(new double[] {0.1, 7}, d);
    ByteBuffer bytes = ByteBuffer.allocateDirect(3).put(new byte[] {9, 8, 7}).flip();
    world.broadcastFromRoot(bytes);
    assertEquals(8, bytes.get(1));
    world.barrier();
  }

  @Test
  void launchWithoutMpirunNeverLoadsMpi() {
    Launch single = Launch.from(java.util.Map.of());
    assertEquals(Launch.SINGLE, single);
    assertEquals(SingleProcess.INSTANCE, single.openGroup());
    Launch two = Launch.from(java.util.Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_RANK", "1",
        "OMPI_COMM_WORLD_LOCAL_RANK", "1", "OMPI_COMM_WORLD_LOCAL_SIZE", "2"));
    assertEquals(new Launch(2, 1, 1, 2, true), two);
    assertEquals(8, two.threadsPerRank(16));
    assertEquals(1, two.threadsPerRank(1));
  }
}
