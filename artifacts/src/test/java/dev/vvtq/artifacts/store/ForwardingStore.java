package dev.vvtq.artifacts.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Passes every primitive operation to a real store and leaves publish and the verified reads to
 * the interface, so they run through these methods: lets tests watch or break one step.
 */
class ForwardingStore implements ArtifactStore {
  final ArtifactStore delegate;

  ForwardingStore(ArtifactStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public void put(String key, Path file) throws IOException {
    delegate.put(key, file);
  }

  @Override
  public void put(String key, byte[] content) throws IOException {
    delegate.put(key, content);
  }

  @Override
  public byte[] readBytes(String key) throws IOException {
    return delegate.readBytes(key);
  }

  @Override
  public InputStream open(String key) throws IOException {
    return delegate.open(key);
  }

  @Override
  public void download(String key, Path target) throws IOException {
    delegate.download(key, target);
  }

  @Override
  public boolean exists(String key) throws IOException {
    return delegate.exists(key);
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    return delegate.list(prefix);
  }

  @Override
  public void delete(String key) throws IOException {
    delegate.delete(key);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
