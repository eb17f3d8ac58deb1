package dev.vvtq.artifacts.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.artifacts.manifest.ArtifactKinds;
import dev.vvtq.artifacts.manifest.FileEntry;
import dev.vvtq.artifacts.manifest.Manifest;
import dev.vvtq.artifacts.manifest.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every {@link ArtifactStore} must do; each implementation's test class runs all of it. */
abstract class ArtifactStoreContract {
  @TempDir Path tmp;
  ArtifactStore store;

  /** A store whose key space is empty and seen by this test only. */
  abstract ArtifactStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  Path localFile(String name, byte[] content) throws IOException {
    Path p = tmp.resolve("src").resolve(name);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  // ---- primitive operations ----

  @Test
  void putBytesThenReadExistsAndOpen() throws Exception {
    byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
    store.put("runs/r1/run.json", content);
    assertArrayEquals(content, store.readBytes("runs/r1/run.json"));
    assertTrue(store.exists("runs/r1/run.json"));
    assertFalse(store.exists("runs/r1/other.json"));
    assertFalse(store.exists("runs/r1"), "a prefix is not an object");
    try (InputStream in = store.open("runs/r1/run.json")) {
      assertArrayEquals(content, in.readAllBytes());
    }
  }

  @Test
  void putFileThenDownload() throws Exception {
    byte[] content = random(300_000, 1);
    store.put("models/m/1/model.safetensors", localFile("model.safetensors", content));
    Path target = tmp.resolve("out/nested/model.safetensors");
    store.download("models/m/1/model.safetensors", target);
    assertArrayEquals(content, Files.readAllBytes(target));
    try (var siblings = Files.list(target.getParent())) {
      assertEquals(1, siblings.count(), "no staging file left beside the download");
    }
  }

  @Test
  void overwriteReplacesAndEmptyObjectsWork() throws Exception {
    store.put("a/b", new byte[] {1, 2, 3});
    store.put("a/b", new byte[] {4});
    assertArrayEquals(new byte[] {4}, store.readBytes("a/b"));
    store.put("a/empty", new byte[0]);
    assertArrayEquals(new byte[0], store.readBytes("a/empty"));
    assertTrue(store.exists("a/empty"));
  }

  @Test
  void missingKeysAreNotFoundErrorsNamingTheKey() throws Exception {
    ArtifactNotFoundException e =
        assertThrows(ArtifactNotFoundException.class, () -> store.readBytes("runs/none/run.json"));
    assertEquals("runs/none/run.json", e.key());
    assertTrue(e.getMessage().contains("'runs/none/run.json'"), e.getMessage());
    assertThrows(ArtifactNotFoundException.class, () -> store.open("runs/none/run.json").close());
    Path target = tmp.resolve("never.bin");
    assertThrows(ArtifactNotFoundException.class, () -> store.download("runs/none/x.bin", target));
    assertFalse(Files.exists(target));
  }

  @Test
  void listByPrefixInKeyOrder() throws Exception {
    for (String k :
        List.of(
            "runs/r2/run.json",
            "runs/r1/checkpoints/200/model.safetensors",
            "runs/r1/checkpoints/100/model.safetensors",
            "runs/r1/run.json",
            "runs/r10/run.json",
            "models/m/1/model.safetensors")) {
      store.put(k, k.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(
        List.of(
            "runs/r1/checkpoints/100/model.safetensors",
            "runs/r1/checkpoints/200/model.safetensors",
            "runs/r1/run.json"),
        store.list("runs/r1/"));
    assertEquals(List.of("runs/r1/checkpoints/100/model.safetensors", "runs/r1/checkpoints/200/model.safetensors"),
        store.list("runs/r1/check"));
    assertEquals(6, store.list("").size());
    List<String> runs = store.list("runs/r");
    assertEquals(5, runs.size());
    assertEquals(List.of("runs/r10/run.json", "runs/r2/run.json"), runs.subList(3, 5));
    assertEquals(List.of(), store.list("nothing/"));
    assertEquals(List.of(), store.list("runs/r1/run.json/"));
  }

  @Test
  void deleteRemovesAndIsIdempotent() throws Exception {
    store.put("a/1", new byte[] {1});
    store.put("a/2", new byte[] {2});
    store.delete("a/1");
    assertFalse(store.exists("a/1"));
    assertEquals(List.of("a/2"), store.list("a/"));
    store.delete("a/1");
    store.delete("never/was");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape", "/abs", "a//b", "a/./b", "a\\b", ".hidden", "a/", ""})
  void invalidKeysAreRefusedBeforeTouchingTheStore(String key) throws Exception {
    assertThrows(IllegalArgumentException.class, () -> store.put(key, new byte[] {1}));
    assertThrows(IllegalArgumentException.class, () -> store.readBytes(key));
    assertThrows(IllegalArgumentException.class, () -> store.exists(key));
    assertThrows(IllegalArgumentException.class, () -> store.delete(key));
    assertEquals(List.of(), store.list(""));
  }

  // ---- publication ----

  Map<String, Path> checkpointFiles(long seed) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("model.safetensors", localFile("model-" + seed, random(200_000, seed)));
    files.put("optimizer.safetensors", localFile("opt-" + seed, random(50_000, seed + 1)));
    files.put("shards/0001.bin", localFile("shard-" + seed, random(1_000, seed + 2)));
    return files;
  }

  @Test
  void publishThenReadVerified() throws Exception {
    Map<String, Path> files = checkpointFiles(10);
    Manifest m =
        store.publish(
            "runs/r1/checkpoints/100", ArtifactKinds.CHECKPOINT, files,
            Map.of("epoch", 2, "step", 100, "metrics", Map.of("top1", 0.5)));
    assertEquals(Sha256.entryOf(files.get("model.safetensors")), m.files().get("model.safetensors"));
    assertEquals(m, store.readManifest("runs/r1/checkpoints/100"));
    assertEquals(100, store.readManifest("runs/r1/checkpoints/100").field("step").orElseThrow().asInt());
    for (Map.Entry<String, Path> f : files.entrySet()) {
      assertArrayEquals(Files.readAllBytes(f.getValue()), store.readVerified("runs/r1/checkpoints/100", f.getKey()));
    }
    assertEquals(
        List.of(
            "runs/r1/checkpoints/100/manifest.json",
            "runs/r1/checkpoints/100/model.safetensors",
            "runs/r1/checkpoints/100/optimizer.safetensors",
            "runs/r1/checkpoints/100/shards/0001.bin"),
        store.list("runs/r1/checkpoints/100/"));
  }

  @Test
  void fetchVerifiedCopiesEveryFileAndTheManifest() throws Exception {
    Map<String, Path> files = checkpointFiles(20);
    Manifest m = store.publish("models/deit/1", ArtifactKinds.MODEL, files, Map.of());
    Path dir = tmp.resolve("fetched");
    assertEquals(m, store.fetchVerified("models/deit/1", dir));
    for (Map.Entry<String, Path> f : files.entrySet()) {
      assertArrayEquals(Files.readAllBytes(f.getValue()), Files.readAllBytes(dir.resolve(f.getKey())));
    }
    assertEquals(m, Manifest.parse(Files.readAllBytes(dir.resolve("manifest.json")), "local"));
  }

  @Test
  void overwrittenFileFailsVerificationNamingTheKey() throws Exception {
    store.publish("runs/r1/checkpoints/5", ArtifactKinds.CHECKPOINT, checkpointFiles(30), Map.of());
    store.put("runs/r1/checkpoints/5/model.safetensors", random(200_000, 999));
    ArtifactIntegrityException e =
        assertThrows(
            ArtifactIntegrityException.class,
            () -> store.readVerified("runs/r1/checkpoints/5", "model.safetensors"));
    assertEquals("runs/r1/checkpoints/5/model.safetensors", e.key());
    assertTrue(e.getMessage().contains("'runs/r1/checkpoints/5/model.safetensors' does not match its manifest"), e.getMessage());
    Path dir = tmp.resolve("fetch");
    assertThrows(ArtifactIntegrityException.class, () -> store.fetchVerified("runs/r1/checkpoints/5", dir));
    assertFalse(Files.exists(dir.resolve("model.safetensors")), "an unverified file never takes its final name");
    assertFalse(Files.exists(dir.resolve("manifest.json")));
  }

  @Test
  void sameSizeCorruptionIsCaughtBySha() throws Exception {
    Path f = localFile("w.bin", random(4096, 40));
    store.publish("a/p", ArtifactKinds.MODEL, Map.of("w.bin", f), Map.of());
    byte[] flipped = Files.readAllBytes(f);
    flipped[1234] ^= 1;
    store.put("a/p/w.bin", flipped);
    ArtifactIntegrityException e =
        assertThrows(ArtifactIntegrityException.class, () -> store.readVerified("a/p", "w.bin"));
    assertTrue(e.getMessage().contains("expected 4096 bytes with sha256 " + Sha256.hex(f)), e.getMessage());
  }

  @Test
  void unpublishedPrefixHasNoManifest() throws Exception {
    // Files without a manifest are what a crashed publication leaves: not an artifact.
    store.put("runs/r9/checkpoints/1/model.safetensors", new byte[] {1});
    ArtifactNotFoundException e =
        assertThrows(ArtifactNotFoundException.class, () -> store.readVerified("runs/r9/checkpoints/1", "model.safetensors"));
    assertEquals("runs/r9/checkpoints/1/manifest.json", e.key());
    assertTrue(e.getMessage().contains("no manifest at 'runs/r9/checkpoints/1/manifest.json'"), e.getMessage());
    assertThrows(ArtifactNotFoundException.class, () -> store.fetchVerified("runs/r9/checkpoints/1", tmp.resolve("f")));
  }

  @Test
  void damagedManifestIsAnIntegrityError() throws Exception {
    store.put("a/p/manifest.json", "{\"format\":\"vvtq.manifest/1\",".getBytes(StandardCharsets.UTF_8));
    ArtifactIntegrityException e = assertThrows(ArtifactIntegrityException.class, () -> store.readManifest("a/p"));
    assertEquals("a/p/manifest.json", e.key());
    assertTrue(e.getMessage().contains("'a/p/manifest.json'") && e.getMessage().contains("not valid JSON"), e.getMessage());
  }

  @Test
  void manifestNamingAnUnsafePathIsRefused() throws Exception {
    Manifest evil =
        new Manifest(Manifest.FORMAT, "model", java.time.Instant.now(),
            new java.util.TreeMap<>(Map.of("../../outside", FileEntry.of(new byte[] {1}))), null);
    store.put("a/p/manifest.json", evil.toJson());
    ArtifactIntegrityException e =
        assertThrows(ArtifactIntegrityException.class, () -> store.fetchVerified("a/p", tmp.resolve("in")));
    assertTrue(e.getMessage().contains("unsafe"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("outside")));
  }

  @Test
  void fileMissingBehindItsManifestIsAnIntegrityError() throws Exception {
    store.publish("a/p", ArtifactKinds.SOFT_LABELS, checkpointFiles(50), Map.of());
    store.delete("a/p/optimizer.safetensors");
    ArtifactIntegrityException e =
        assertThrows(ArtifactIntegrityException.class, () -> store.readVerified("a/p", "optimizer.safetensors"));
    assertTrue(e.getMessage().contains("'a/p/optimizer.safetensors' is listed in its manifest but missing"), e.getMessage());
    assertThrows(ArtifactIntegrityException.class, () -> store.fetchVerified("a/p", tmp.resolve("f")));
  }

  @Test
  void askingForAFileTheManifestDoesNotList() throws Exception {
    store.publish("a/p", ArtifactKinds.MODEL, checkpointFiles(60), Map.of());
    ArtifactNotFoundException e =
        assertThrows(ArtifactNotFoundException.class, () -> store.readVerified("a/p", "model.bin"));
    assertTrue(e.getMessage().contains("lists no file 'model.bin'") && e.getMessage().contains("model.safetensors"), e.getMessage());
  }

  @Test
  void theManifestIsWrittenAfterEveryFileItNames() throws Exception {
    List<String> puts = new CopyOnWriteArrayList<>();
    ArtifactStore watched =
        new ForwardingStore(store) {
          @Override
          public void put(String key, Path file) throws IOException {
            puts.add(key);
            super.put(key, file);
          }

          @Override
          public void put(String key, byte[] content) throws IOException {
            puts.add(key);
            if (key.endsWith("/manifest.json")) {
              // At the moment the manifest appears, each file it names is complete in the store.
              Manifest m = Manifest.parse(content, key);
              String prefix = key.substring(0, key.length() - "/manifest.json".length());
              for (Map.Entry<String, FileEntry> f : m.files().entrySet()) {
                byte[] stored = delegate.readBytes(prefix + "/" + f.getKey());
                assertEquals(f.getValue(), FileEntry.of(stored), f.getKey());
              }
            }
            super.put(key, content);
          }
        };
    watched.publish("runs/r1/checkpoints/7", ArtifactKinds.CHECKPOINT, checkpointFiles(70), Map.of());
    assertEquals(4, puts.size());
    assertEquals("runs/r1/checkpoints/7/manifest.json", puts.get(3));
  }

  @Test
  void aFailedPublicationLeavesNoManifest() throws Exception {
    store.publish("a/p", ArtifactKinds.CHECKPOINT, checkpointFiles(80), Map.of("step", 1));
    ArtifactStore failing =
        new ForwardingStore(store) {
          int files;

          @Override
          public void put(String key, Path file) throws IOException {
            if (++files == 2) {
              throw new IOException("disk full (injected)");
            }
            super.put(key, file);
          }
        };
    IOException e =
        assertThrows(IOException.class, () -> failing.publish("a/p", ArtifactKinds.CHECKPOINT, checkpointFiles(81), Map.of("step", 2)));
    assertEquals("disk full (injected)", e.getMessage());
    // The old manifest was withdrawn before any file changed, and no new one was written.
    assertThrows(ArtifactNotFoundException.class, () -> store.readManifest("a/p"));
  }

  @Test
  void republishingReplacesTheArtifact() throws Exception {
    store.publish("a/p", ArtifactKinds.CHECKPOINT, checkpointFiles(90), Map.of("step", 1));
    Map<String, Path> v2 = checkpointFiles(91);
    store.publish("a/p", ArtifactKinds.CHECKPOINT, v2, Map.of("step", 2));
    assertEquals(2, store.readManifest("a/p").field("step").orElseThrow().asInt());
    assertArrayEquals(Files.readAllBytes(v2.get("model.safetensors")), store.readVerified("a/p", "model.safetensors"));
  }

  @Test
  void publishRefusesBadInputWithoutTouchingTheStore() throws Exception {
    Path f = localFile("x", new byte[] {1});
    assertThrows(IllegalArgumentException.class,
        () -> store.publish("a/p", "model", Map.of("manifest.json", f), Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> store.publish("a/p", "model", Map.of("../x", f), Map.of()));
    assertThrows(NoSuchFileException.class,
        () -> store.publish("a/p", "model", Map.of("m.bin", tmp.resolve("missing.bin")), Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> store.publish("a/p", "model", Map.of("m.bin", f), Map.of("kind", "clash")));
    assertEquals(List.of(), store.list(""));
  }

  /**
   * A reader polling while artifacts are published either finds no manifest or a complete,
   * verifiable artifact: never a manifest whose files are missing or partial.
   */
  @Test
  @Timeout(60)
  void concurrentReadersNeverSeeAPartialArtifact() throws Exception {
    int artifacts = 4;
    List<Map<String, Path>> inputs = new ArrayList<>();
    for (int i = 0; i < artifacts; i++) {
      inputs.add(checkpointFiles(100 + i));
    }
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> publisher =
          pool.submit(
              () -> {
                for (int i = 0; i < artifacts; i++) {
                  store.publish("runs/c/checkpoints/" + i, ArtifactKinds.CHECKPOINT, inputs.get(i), Map.of("step", i));
                }
                done.set(true);
                return null;
              });
      Future<Integer> reader =
          pool.submit(
              () -> {
                int verified = 0;
                boolean last = false;
                while (!last) {
                  last = done.get();
                  for (int i = 0; i < artifacts; i++) {
                    try {
                      store.fetchVerified("runs/c/checkpoints/" + i, tmp.resolve("r" + i));
                      verified++;
                    } catch (ArtifactNotFoundException notYet) {
                      assertNotNull(notYet.key());
                    }
                  }
                }
                return verified;
              });
      publisher.get(50, TimeUnit.SECONDS);
      int verified = reader.get(50, TimeUnit.SECONDS);
      assertTrue(verified >= artifacts, "the final pass sees every artifact, verified " + verified);
    } finally {
      pool.shutdownNow();
    }
  }
}
