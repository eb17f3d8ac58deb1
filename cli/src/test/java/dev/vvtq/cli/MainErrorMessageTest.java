package dev.vvtq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class MainErrorMessageTest {

  @Test
  void fileSystemFailuresSayWhatWasWrongWithThePath() {
    assertEquals("no such file or folder: /w/tmp/ckpt-1", Main.message(new NoSuchFileException("/w/tmp/ckpt-1")));
    assertEquals("permission denied: /w/a -> /w/b",
        Main.message(new AccessDeniedException("/w/a", "/w/b", null)));
    assertEquals("file system error on /w/x", Main.message(new FileSystemException("/w/x")));
    assertEquals("/w/x: Read-only file system", Main.message(new FileSystemException("/w/x", null, "Read-only file system")));
  }

  @Test
  void otherFailuresKeepTheirMessage() {
    assertEquals("--epochs must be positive", Main.message(new IllegalArgumentException("--epochs must be positive")));
    assertEquals("IOException", Main.message(new IOException()));
  }
}
