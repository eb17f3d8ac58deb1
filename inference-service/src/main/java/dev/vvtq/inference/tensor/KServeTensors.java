package dev.vvtq.inference.tensor;

import java.util.List;

/**
 * The tensors every model exposes over the Open Inference Protocol. Inputs (one per request):
 * {@link #IMAGES} FP32 {@code [N, 3, S, S]}, already normalised, or {@link #IMAGE_BYTES} BYTES
 * {@code [N]}, encoded images preprocessed like the model's evaluation. Outputs: {@link #LOGITS} FP32
 * {@code [N, K]} and the top-k classes, probabilities and labels {@code [N, k]}, k from the request
 * parameter {@link #TOP_K_PARAMETER} (default {@link #DEFAULT_TOP_K}, capped at K).
 */
public final class KServeTensors {
  public static final String IMAGES = "images";
  public static final String IMAGE_BYTES = "image_bytes";
  public static final String LOGITS = "logits";
  public static final String TOP_K_CLASSES = "top_k_classes";
  public static final String TOP_K_PROBABILITIES = "top_k_probabilities";
  public static final String TOP_K_LABELS = "top_k_labels";
  /** Every output, in the order a response lists them when the request names none. */
  public static final List<String> OUTPUTS = List.of(LOGITS, TOP_K_CLASSES, TOP_K_PROBABILITIES, TOP_K_LABELS);
  /** Request (or requested-output) parameter: how many classes the top-k outputs hold. */
  public static final String TOP_K_PARAMETER = "top_k";
  public static final int DEFAULT_TOP_K = 5;

  public static final String FP32 = "FP32";
  public static final String INT64 = "INT64";
  public static final String BYTES = "BYTES";

  private KServeTensors() {}
}
