package dev.vvtq.artifacts.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
  @Test
  void knownVectors() {
    // FIPS 180-2 examples.
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hex(new byte[0]));
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        Sha256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void streamingAFileSeveralChunksLongMatchesTheArrayDigest(@TempDir Path dir) throws Exception {
    byte[] content = new byte[(1 << 16) * 3 + 123];
    new Random(5).nextBytes(content);
    Path f = dir.resolve("blob");
    Files.write(f, content);
    assertEquals(Sha256.hex(content), Sha256.hex(f));
    assertEquals(new FileEntry(content.length, Sha256.hex(content)), Sha256.entryOf(f));
    assertEquals(FileEntry.of(content), Sha256.entryOf(f));
  }

  @Test
  void copyHashesWhatPasses() throws Exception {
    byte[] content = new byte[100_000];
    new Random(6).nextBytes(content);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FileEntry e = Sha256.copy(new ByteArrayInputStream(content), out);
    assertArrayEquals(content, out.toByteArray());
    assertEquals(FileEntry.of(content), e);
  }
}
