package dev.vvtq.qat.reference;

import ai.djl.ndarray.NDManager;
import dev.vvtq.qat.checkpoint.ModelWeights;
import dev.vvtq.qat.model.DeitConfig;
import dev.vvtq.qat.model.QuantDeit;
import dev.vvtq.qat.torch.TorchCheckpointReader;
import dev.vvtq.qat.torch.TorchDtype;
import dev.vvtq.qat.torch.TorchTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint of the reference's quantized DeiT as one of our models. Bit widths come from its
 * {@code nbits}, {@code --use-offset} from whether {@code attn.quant_input} has a {@code beta}, the
 * class count from {@code head.weight}; the architecture is the caller's. Strict: any missing,
 * unexpected or mis-shaped key fails with the whole report, as does a quantizer that was never
 * initialised or whose {@code nbits} disagrees with the rest.
 */
public final class ReferenceImport {
  private ReferenceImport() {}

  /**
   * The imported model and what our model does not hold: every step and offset vector in full (all
   * seven bit widths), so that {@link ReferenceExport} can give the reference back its own tensors.
   */
  public record Imported(QuantDeit model, ModelWeights.LoadReport report, Map<String, float[]> vectors,
      ReferenceStateDict source) {}

  /** Thrown when a checkpoint does not match the model; the message carries the whole report. */
  public static final class MismatchException extends IllegalArgumentException {
    MismatchException(String message) {
      super(message);
    }
  }

  /** Reads {@code file} (torch.save format) as {@code architecture} (its bits and options are taken from the file). */
  public static Imported read(Path file, DeitConfig architecture, NDManager manager) throws IOException {
    return of(ReferenceStateDict.of(TorchCheckpointReader.read(file), file.toString()), architecture, file.toString(), manager);
  }

  /** Imports a state_dict already read. */
  public static Imported of(ReferenceStateDict sd, DeitConfig architecture, String source, NDManager manager) {
    Map<String, TorchTensor> t = sd.tensors();
    int wbits = nbits(t, "blocks.0.attn.proj_q.nbits", source);
    int abits = nbits(t, "blocks.0.attn.quant_q.nbits", source);
    TorchTensor head = t.get("head.weight");
    if (head == null || head.shape().length != 2) {
      throw new MismatchException(source + ": no head.weight [classes, dim] to take the class count from");
    }
    boolean offset = t.containsKey("blocks.0.attn.quant_input.beta");
    DeitConfig config = architecture.withBits(wbits, abits).withNumClasses((int) head.shape()[0])
        .withOptions(false, offset, architecture.dropPath());
    QuantDeit model = QuantDeit.create(config, manager, 0);
    try {
      return new Imported(model, load(model, sd, source), vectorsOf(model, t), sd);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static int nbits(Map<String, TorchTensor> t, String key, String source) {
    TorchTensor n = t.get(key);
    if (n == null) {
      throw new MismatchException(source + " has no " + key + ": not a checkpoint of the reference's quantized DeiT"
          + " (deit_*_patch16_224_quant); for timm float weights use import-timm");
    }
    if (n.numel() != 1) {
      throw new MismatchException(source + ": " + key + " has shape " + Arrays.toString(n.shape())
          + ": a head-wise (--head-wise) checkpoint, which is not mapped");
    }
    float v = n.floats()[0];
    if (v < 2 || v > 8 || v != Math.rint(v)) {
      throw new MismatchException(source + ": " + key + " is " + v + ": only quantized checkpoints (2..8 bits) are"
          + " imported; for a float model use import-timm");
    }
    return (int) v;
  }

  private static ModelWeights.LoadReport load(QuantDeit model, ReferenceStateDict sd, String source) {
    Map<String, TorchTensor> t = sd.tensors();
    List<ReferenceLayout.Entry> layout = ReferenceLayout.of(model).entries();
    Set<String> unexpected = new LinkedHashSet<>(t.keySet());
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (ReferenceLayout.Entry e : layout) {
      TorchTensor v = t.get(e.key());
      if (!unexpected.remove(e.key())) {
        missing.add(e.key());
      } else if (v.dtype() != TorchDtype.FLOAT32 || !Arrays.equals(v.shape(), e.shape())) {
        mismatched.add(e.key() + " file " + v + " model FLOAT32" + Arrays.toString(e.shape()));
      } else if (e.role() == ReferenceLayout.Role.NBITS && v.floats()[0] != e.bits()) {
        bad.add(e.key() + " is " + v.floats()[0] + " bits, the model's layer is " + e.bits());
      } else if (e.role() == ReferenceLayout.Role.INIT_STATE && v.floats()[0] != 1f) {
        bad.add(e.key() + " is " + v.floats()[0] + ": the quantizer was never initialised");
      }
    }
    ModelWeights.LoadReport report = new ModelWeights.LoadReport(missing, new ArrayList<>(unexpected), mismatched,
        new ArrayList<>());
    if (!report.clean() || !bad.isEmpty()) {
      throw new MismatchException(source + " does not match " + model.config().name() + " "
          + model.config().bitsLabel() + (model.config().useOffset() ? " with --use-offset" : "") + ": " + report
          + (bad.isEmpty() ? "" : "; " + String.join("; ", bad))
          + ". Pick the --model whose architecture matches the file.");
    }
    for (ReferenceLayout.Entry e : layout) {
      float[] v = t.get(e.key()).floats();
      switch (e.role()) {
        case FLOAT -> e.param().assign(v);
        case STEP, OFFSET -> e.param().assign(new float[] {v[e.bits() - 2]});
        default -> {
          continue;
        }
      }
      report.loaded().add(e.key());
    }
    model.activationQuantizers().values().forEach(q -> q.markInitialized(true));
    return report;
  }

  private static Map<String, float[]> vectorsOf(QuantDeit model, Map<String, TorchTensor> t) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ReferenceLayout.Entry e : ReferenceLayout.of(model).entries()) {
      if (e.role() == ReferenceLayout.Role.STEP || e.role() == ReferenceLayout.Role.OFFSET) {
        out.put(e.key(), t.get(e.key()).floats());
      }
    }
    return out;
  }
}
