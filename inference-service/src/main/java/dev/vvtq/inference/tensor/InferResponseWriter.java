package dev.vvtq.inference.tensor;

import com.google.protobuf.ByteString;
import dev.vvtq.inference.serving.InferenceOutcome;
import dev.vvtq.inference.serving.TopK;
import dev.vvtq.proto.inference.InferTensorContents;
import dev.vvtq.proto.inference.ModelInferRequest;
import dev.vvtq.proto.inference.ModelInferResponse;
import dev.vvtq.proto.inference.ModelInferResponse.InferOutputTensor;
import java.util.ArrayList;
import java.util.List;

/** Builds the ModelInfer response: the requested outputs, typed or raw as the inputs were. */
public final class InferResponseWriter {
  private InferResponseWriter() {}

  public static ModelInferResponse write(ModelInferRequest request, String modelVersion, List<String> classNames,
      InferRequestReader.Parsed parsed, InferenceOutcome outcome) {
    int n = outcome.n();
    int classes = outcome.numClasses();
    int k = parsed.topK();
    long[] topClasses = null;
    float[] topProbabilities = null;
    List<ByteString> topLabels = null;
    if (!parsed.outputs().equals(List.of(KServeTensors.LOGITS))) {
      topClasses = new long[n * k];
      topProbabilities = new float[n * k];
      topLabels = new ArrayList<>(n * k);
      for (int i = 0; i < n; i++) {
        float[] p = TopK.softmax(outcome.logits(), i * classes, classes);
        int[] best = TopK.indices(p, k);
        for (int j = 0; j < k; j++) {
          topClasses[i * k + j] = best[j];
          topProbabilities[i * k + j] = p[best[j]];
          topLabels.add(ByteString.copyFromUtf8(classNames.get(best[j])));
        }
      }
    }
    ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
        .setModelName(request.getModelName())
        .setModelVersion(modelVersion)
        .setId(request.getId());
    for (String name : parsed.outputs()) {
      InferOutputTensor.Builder tensor = InferOutputTensor.newBuilder().setName(name);
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      ByteString raw;
      switch (name) {
        case KServeTensors.LOGITS -> {
          tensor.setDatatype(KServeTensors.FP32).addShape(n).addShape(classes);
          raw = parsed.raw() ? RawTensors.floats(outcome.logits(), 0, n * classes) : null;
          if (!parsed.raw()) {
            for (int i = 0; i < n * classes; i++) {
              contents.addFp32Contents(outcome.logits()[i]);
            }
          }
        }
        case KServeTensors.TOP_K_CLASSES -> {
          tensor.setDatatype(KServeTensors.INT64).addShape(n).addShape(k);
          raw = parsed.raw() ? RawTensors.longs(topClasses) : null;
          if (!parsed.raw()) {
            for (long c : topClasses) {
              contents.addInt64Contents(c);
            }
          }
        }
        case KServeTensors.TOP_K_PROBABILITIES -> {
          tensor.setDatatype(KServeTensors.FP32).addShape(n).addShape(k);
          raw = parsed.raw() ? RawTensors.floats(topProbabilities, 0, topProbabilities.length) : null;
          if (!parsed.raw()) {
            for (float p : topProbabilities) {
              contents.addFp32Contents(p);
            }
          }
        }
        case KServeTensors.TOP_K_LABELS -> {
          tensor.setDatatype(KServeTensors.BYTES).addShape(n).addShape(k);
          raw = parsed.raw() ? RawTensors.bytesElements(topLabels) : null;
          if (!parsed.raw()) {
            contents.addAllBytesContents(topLabels);
          }
        }
        default -> throw new IllegalStateException("unhandled output " + name);
      }
      if (parsed.raw()) {
        response.addRawOutputContents(raw);
      } else {
        tensor.setContents(contents);
      }
      response.addOutputs(tensor);
    }
    return response.build();
  }
}
