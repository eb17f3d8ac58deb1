package dev.vvtq.inference.tensor;

import static dev.vvtq.inference.tensor.KServeTensors.BYTES;
import static dev.vvtq.inference.tensor.KServeTensors.FP32;
import static dev.vvtq.inference.tensor.KServeTensors.IMAGES;
import static dev.vvtq.inference.tensor.KServeTensors.IMAGE_BYTES;

import com.google.protobuf.ByteString;
import dev.vvtq.imaging.EvalPreprocessor;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.serving.ImageBatch;
import dev.vvtq.inference.serving.ImageSizeGuard;
import dev.vvtq.inference.serving.InvalidRequestException;
import dev.vvtq.proto.inference.InferParameter;
import dev.vvtq.proto.inference.InferTensorContents;
import dev.vvtq.proto.inference.ModelInferRequest;
import dev.vvtq.proto.inference.ModelInferRequest.InferInputTensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Validates a ModelInfer request against a model and describes its work: the checks that need only
 * the request's structure (names, types, shapes, sizes) run at once; decoding images and copying
 * floats run later, in {@link Parsed#inputs()}, off the gRPC thread. Every problem is an {@link
 * InvalidRequestException} that names the tensor and says what was expected.
 */
public final class InferRequestReader {
  private InferRequestReader() {}

  /**
   * A validated request.
   *
   * @param n images in the request
   * @param raw whether the inputs came as raw_input_contents (the outputs then go the same way)
   * @param inputs prepares the {@code [n, 3, S, S]} input; may throw {@link InvalidRequestException}
   * @param outputs the outputs to return, in order
   * @param topK classes in the top-k outputs, already capped at the number of classes
   */
  public record Parsed(int n, boolean raw, Supplier<float[]> inputs, List<String> outputs, int topK) {}

  /** Validates {@code request} for a model described by {@code d}. */
  public static Parsed read(ModelInferRequest request, ModelDescription d, EvalPreprocessor preprocessor,
      ImageSizeGuard guard) {
    if (request.getInputsCount() != 1) {
      List<String> names = new ArrayList<>();
      request.getInputsList().forEach(t -> names.add("'" + t.getName() + "'"));
      throw new InvalidRequestException("the request has " + request.getInputsCount() + " inputs"
          + (names.isEmpty() ? "" : " " + names) + "; send exactly one: " + expectedInputs(d));
    }
    InferInputTensor input = request.getInputs(0);
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != 1) {
      throw new InvalidRequestException("raw_input_contents has " + request.getRawInputContentsCount()
          + " entries but the request has 1 input; give one entry per input, in input order");
    }
    if (raw && hasAnyContents(input.getContents())) {
      throw new InvalidRequestException("input '" + input.getName()
          + "' sets contents while the request also uses raw_input_contents; use one or the other");
    }
    List<String> outputs = requestedOutputs(request);
    int topK = topK(request, d.numClasses());
    Supplier<float[]> inputs;
    int n;
    switch (input.getName()) {
      case IMAGES -> {
        n = checkImagesShape(input, d);
        inputs = raw ? rawFloats(request.getRawInputContents(0), input, d, n) : typedFloats(input, d, n);
      }
      case IMAGE_BYTES -> {
        n = checkImageBytesShape(input);
        List<ByteString> encoded = raw
            ? RawTensors.readBytesElements(request.getRawInputContents(0), "raw_input_contents[0] of input '" + IMAGE_BYTES + "'")
            : typedBytes(input);
        if (encoded.size() != n) {
          throw new InvalidRequestException("input '" + IMAGE_BYTES + "' has " + encoded.size() + " elements"
              + (raw ? " in raw_input_contents[0]" : " in bytes_contents") + ", but its shape " + input.getShapeList()
              + " needs " + n);
        }
        inputs = () -> {
          List<byte[]> images = new ArrayList<>(encoded.size());
          List<String> names = new ArrayList<>(encoded.size());
          for (int i = 0; i < encoded.size(); i++) {
            images.add(encoded.get(i).toByteArray());
            names.add(IMAGE_BYTES + "[" + i + "]");
          }
          return ImageBatch.preprocess(preprocessor, guard, images, names);
        };
      }
      default -> throw new InvalidRequestException("unknown input '" + input.getName() + "'; " + expectedInputs(d));
    }
    return new Parsed(n, raw, inputs, outputs, topK);
  }

  private static String expectedInputs(ModelDescription d) {
    int s = d.inputSize();
    return "this model takes '" + IMAGES + "' (FP32 [N,3," + s + "," + s + "], normalised) or '" + IMAGE_BYTES
        + "' (BYTES [N], encoded images)";
  }

  private static int checkImagesShape(InferInputTensor input, ModelDescription d) {
    if (!FP32.equals(input.getDatatype())) {
      throw new InvalidRequestException("input '" + IMAGES + "' must have datatype FP32, got '" + input.getDatatype() + "'");
    }
    List<Long> shape = input.getShapeList();
    int s = d.inputSize();
    if (shape.size() != 4 || shape.get(0) < 1 || shape.get(1) != 3 || shape.get(2) != s || shape.get(3) != s) {
      throw new InvalidRequestException("input '" + IMAGES + "' has shape " + shape + "; this model takes [N,3," + s + "," + s
          + "] with N >= 1");
    }
    if (shape.get(0) * d.imageElements() > Integer.MAX_VALUE - 8) {
      throw new InvalidRequestException("input '" + IMAGES + "' has " + shape.get(0) + " images, too many for one request");
    }
    return (int) (long) shape.get(0);
  }

  private static int checkImageBytesShape(InferInputTensor input) {
    if (!BYTES.equals(input.getDatatype())) {
      throw new InvalidRequestException("input '" + IMAGE_BYTES + "' must have datatype BYTES, got '" + input.getDatatype() + "'");
    }
    List<Long> shape = input.getShapeList();
    boolean ok = (shape.size() == 1 || (shape.size() == 2 && shape.get(1) == 1)) && shape.get(0) >= 1
        && shape.get(0) <= Integer.MAX_VALUE;
    if (!ok) {
      throw new InvalidRequestException("input '" + IMAGE_BYTES + "' has shape " + shape + "; it takes [N] or [N,1] with N >= 1");
    }
    return (int) (long) shape.get(0);
  }

  private static Supplier<float[]> rawFloats(ByteString raw, InferInputTensor input, ModelDescription d, int n) {
    long needed = (long) n * d.imageElements() * Float.BYTES;
    if (raw.size() != needed) {
      int s = d.inputSize();
      throw new InvalidRequestException("raw_input_contents[0] has " + raw.size() + " bytes, but input '" + IMAGES
          + "' of shape " + input.getShapeList() + " and datatype FP32 needs " + needed + " (" + n + " x 3 x " + s + " x "
          + s + " x 4 bytes)");
    }
    return () -> {
      float[] out = new float[n * d.imageElements()];
      RawTensors.readFloats(raw, out, out.length);
      requireFinite(out, d);
      return out;
    };
  }

  private static Supplier<float[]> typedFloats(InferInputTensor input, ModelDescription d, int n) {
    InferTensorContents c = input.getContents();
    String misplaced = otherThan(c, "fp32_contents");
    if (misplaced != null) {
      throw new InvalidRequestException("input '" + IMAGES + "' is FP32 but its data is in " + misplaced
          + "; put it in fp32_contents");
    }
    long needed = (long) n * d.imageElements();
    if (c.getFp32ContentsCount() != needed) {
      throw new InvalidRequestException("input '" + IMAGES + "' has " + c.getFp32ContentsCount()
          + " fp32_contents values, but its shape " + input.getShapeList() + " needs " + needed);
    }
    return () -> {
      float[] out = new float[(int) needed];
      for (int i = 0; i < out.length; i++) {
        out[i] = c.getFp32Contents(i);
      }
      requireFinite(out, d);
      return out;
    };
  }

  private static List<ByteString> typedBytes(InferInputTensor input) {
    InferTensorContents c = input.getContents();
    String misplaced = otherThan(c, "bytes_contents");
    if (misplaced != null) {
      throw new InvalidRequestException("input '" + IMAGE_BYTES + "' is BYTES but its data is in " + misplaced
          + "; put each encoded image in bytes_contents");
    }
    return c.getBytesContentsList();
  }

  private static void requireFinite(float[] values, ModelDescription d) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        int plane = d.inputSize() * d.inputSize();
        int image = i / d.imageElements();
        int within = i % d.imageElements();
        throw new InvalidRequestException("input '" + IMAGES + "' element " + i + " (image " + image + ", channel "
            + within / plane + ", row " + (within % plane) / d.inputSize() + ", column " + within % d.inputSize()
            + ") is " + values[i] + "; every value must be finite");
      }
    }
  }

  private static boolean hasAnyContents(InferTensorContents c) {
    return otherThan(c, "") != null;
  }

  /** The first non-empty contents field other than {@code allowed}, or null. */
  private static String otherThan(InferTensorContents c, String allowed) {
    Map<String, Integer> counts = Map.of(
        "bool_contents", c.getBoolContentsCount(),
        "int_contents", c.getIntContentsCount(),
        "int64_contents", c.getInt64ContentsCount(),
        "uint_contents", c.getUintContentsCount(),
        "uint64_contents", c.getUint64ContentsCount(),
        "fp32_contents", c.getFp32ContentsCount(),
        "fp64_contents", c.getFp64ContentsCount(),
        "bytes_contents", c.getBytesContentsCount());
    for (var e : new java.util.TreeMap<>(counts).entrySet()) {
      if (e.getValue() > 0 && !e.getKey().equals(allowed)) {
        return e.getKey();
      }
    }
    return null;
  }

  private static List<String> requestedOutputs(ModelInferRequest request) {
    if (request.getOutputsCount() == 0) {
      return KServeTensors.OUTPUTS;
    }
    Set<String> names = new LinkedHashSet<>();
    for (var o : request.getOutputsList()) {
      if (!KServeTensors.OUTPUTS.contains(o.getName())) {
        throw new InvalidRequestException("unknown output '" + o.getName() + "'; the outputs are "
            + String.join(", ", KServeTensors.OUTPUTS));
      }
      if (!names.add(o.getName())) {
        throw new InvalidRequestException("output '" + o.getName() + "' is requested twice");
      }
    }
    return List.copyOf(names);
  }

  private static int topK(ModelInferRequest request, int numClasses) {
    Long k = null;
    InferParameter p = request.getParametersMap().get(KServeTensors.TOP_K_PARAMETER);
    if (p != null) {
      k = integer(p, "request parameter");
    }
    for (var o : request.getOutputsList()) {
      InferParameter op = o.getParametersMap().get(KServeTensors.TOP_K_PARAMETER);
      if (op != null) {
        long v = integer(op, "parameter of output '" + o.getName() + "'");
        if (k != null && k != v) {
          throw new InvalidRequestException("top_k is given as both " + k + " and " + v + "; give one value");
        }
        k = v;
      }
    }
    if (k == null) {
      return Math.min(KServeTensors.DEFAULT_TOP_K, numClasses);
    }
    if (k < 1) {
      throw new InvalidRequestException("top_k must be >= 1, got " + k);
    }
    return (int) Math.min(k, numClasses);
  }

  private static long integer(InferParameter p, String where) {
    return switch (p.getParameterChoiceCase()) {
      case INT64_PARAM -> p.getInt64Param();
      case UINT64_PARAM -> {
        if (p.getUint64Param() < 0) {
          throw new InvalidRequestException("top_k " + where + " is too large: " + Long.toUnsignedString(p.getUint64Param()));
        }
        yield p.getUint64Param();
      }
      default -> throw new InvalidRequestException("top_k " + where + " must be an integer (int64_param), got "
          + p.getParameterChoiceCase().name().toLowerCase(java.util.Locale.ROOT));
    };
  }
}
