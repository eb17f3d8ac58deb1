package dev.vvtq.inference.testing;

import dev.vvtq.artifacts.store.LocalFolderStore;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.model.ModelDescriptionReader;
import java.io.IOException;
import java.nio.file.Path;

/** The fixture models read straight from the test store, to compute expected answers without the service. */
public final class ReferenceModels {
  private final LocalFolderStore store;

  public ReferenceModels(Path storeRoot) throws IOException {
    this.store = new LocalFolderStore(storeRoot);
  }

  public ModelDescription description(String key) throws IOException {
    return ModelDescriptionReader.read(store.pathOf(key + "/model.safetensors"));
  }

  /** The logits the model runner gives when called directly on {@code n} preprocessed images. */
  public float[] logits(String key, float[] images, int n) throws IOException {
    return new ClosedFormRunner(description(key), 0).logitsUncounted(images, n);
  }
}
