package dev.vvtq.qat.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An evaluation result as JSON: summary, per-class accuracy and the confusion matrix. */
public final class EvaluationJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvaluationJson() {}

  /** The result with a free-form description of what was evaluated. */
  public static ObjectNode toJson(EvaluationResult r, ObjectNode subject) {
    ObjectNode o = JSON.createObjectNode();
    if (subject != null) {
      o.set("subject", subject);
    }
    o.put("images", r.images());
    o.put("top1", r.top1());
    o.put("top5", r.top5());
    o.put("loss", r.loss());
    o.put("seconds", r.seconds());
    o.put("images_per_second", r.imagesPerSecond());
    ArrayNode perClass = o.putArray("per_class");
    for (int c = 0; c < r.perClassTop1().length; c++) {
      ObjectNode pc = perClass.addObject();
      pc.put("class", r.classNames() == null ? Integer.toString(c) : r.classNames().get(c));
      double v = r.perClassTop1()[c];
      if (Double.isNaN(v)) {
        pc.putNull("top1");
      } else {
        pc.put("top1", v);
      }
    }
    ArrayNode confusion = o.putArray("confusion");
    for (long[] row : r.confusion()) {
      ArrayNode a = confusion.addArray();
      for (long v : row) {
        a.add(v);
      }
    }
    return o;
  }

  /** Pretty-printed JSON bytes. */
  public static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
