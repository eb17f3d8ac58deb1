package dev.vvtq.inference.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vvtq.artifacts.safetensors.SafetensorsFormatException;
import dev.vvtq.artifacts.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads and checks the {@code __metadata__} of an exported model's {@code model.safetensors}. */
public final class ModelDescriptionReader {
  /** The {@code format} value this service understands. */
  public static final String FORMAT = "vvtq-int/1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelDescriptionReader() {}

  /** Reads the description from a safetensors file; {@link ModelFormatException} says what is wrong. */
  public static ModelDescription read(Path modelFile) throws IOException {
    Map<String, String> metadata;
    try (SafetensorsReader reader = SafetensorsReader.open(modelFile)) {
      metadata = reader.metadata();
    } catch (SafetensorsFormatException e) {
      throw new ModelFormatException(modelFile + " is not a valid safetensors file: " + e.getMessage(), e);
    }
    return parse(metadata, modelFile.toString());
  }

  /** Parses the metadata map of a safetensors header; {@code source} appears in every error. */
  public static ModelDescription parse(Map<String, String> metadata, String source) {
    String format = metadata.get("format");
    if (!FORMAT.equals(format)) {
      throw new ModelFormatException(source + ": metadata format is " + (format == null ? "missing" : "'" + format + "'")
          + ", expected '" + FORMAT + "' (an exported integer model, written by 'vvtq export')");
    }
    JsonNode config = json(metadata, "config", source);
    int inChans = intField(config, "in_chans", source);
    if (inChans != ModelDescription.CHANNELS) {
      throw new ModelFormatException(source + ": in_chans is " + inChans + ", only RGB (3) models can be served");
    }
    int numClasses = intField(config, "num_classes", source);
    List<String> classNames = new ArrayList<>();
    JsonNode names = json(metadata, "class_names", source);
    if (!names.isArray()) {
      throw new ModelFormatException(source + ": class_names must be a JSON array of strings");
    }
    names.forEach(n -> classNames.add(n.asText()));
    if (classNames.size() != numClasses) {
      throw new ModelFormatException(source + ": class_names has " + classNames.size()
          + " entries but num_classes is " + numClasses);
    }
    float[] mean = triple(metadata, "mean", source);
    float[] std = triple(metadata, "std", source);
    for (float s : std) {
      if (!(s > 0)) {
        throw new ModelFormatException(source + ": std values must be > 0, got " + s);
      }
    }
    double cropPct;
    String crop = metadata.getOrDefault("crop_pct", "0.875");
    try {
      cropPct = Double.parseDouble(crop);
    } catch (NumberFormatException e) {
      throw new ModelFormatException(source + ": crop_pct '" + crop + "' is not a number");
    }
    if (!(cropPct > 0 && cropPct <= 1)) {
      throw new ModelFormatException(source + ": crop_pct must be in (0, 1], got " + crop);
    }
    int inputSize = intField(config, "img_size", source);
    int patch = intField(config, "patch_size", source);
    if (inputSize <= 0 || patch <= 0 || inputSize % patch != 0) {
      throw new ModelFormatException(source + ": img_size " + inputSize + " must be a positive multiple of patch_size " + patch);
    }
    return new ModelDescription(
        config.path("name").asText("unknown"),
        inputSize,
        patch,
        intField(config, "embed_dim", source),
        intField(config, "depth", source),
        intField(config, "num_heads", source),
        config.path("wbits").asInt(-1),
        config.path("abits").asInt(-1),
        classNames,
        mean,
        std,
        cropPct);
  }

  private static JsonNode json(Map<String, String> metadata, String key, String source) {
    String text = metadata.get(key);
    if (text == null) {
      throw new ModelFormatException(source + ": metadata has no '" + key + "'");
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new ModelFormatException(source + ": metadata '" + key + "' is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static int intField(JsonNode config, String field, String source) {
    JsonNode n = config.get(field);
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new ModelFormatException(source + ": config." + field + " is missing or not an integer");
    }
    return n.intValue();
  }

  private static float[] triple(Map<String, String> metadata, String key, String source) {
    JsonNode n = json(metadata, key, source);
    if (!n.isArray() || n.size() != ModelDescription.CHANNELS) {
      throw new ModelFormatException(source + ": " + key + " must be a JSON array of 3 numbers");
    }
    float[] out = new float[ModelDescription.CHANNELS];
    for (int i = 0; i < out.length; i++) {
      if (!n.get(i).isNumber()) {
        throw new ModelFormatException(source + ": " + key + "[" + i + "] is not a number");
      }
      out[i] = (float) n.get(i).doubleValue();
    }
    return out;
  }
}
