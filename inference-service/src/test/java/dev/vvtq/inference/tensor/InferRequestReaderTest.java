package dev.vvtq.inference.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.vvtq.inference.model.ModelDescription;
import dev.vvtq.inference.serving.ImageSizeGuard;
import dev.vvtq.inference.serving.InvalidRequestException;
import dev.vvtq.proto.inference.InferParameter;
import dev.vvtq.proto.inference.InferTensorContents;
import dev.vvtq.proto.inference.ModelInferRequest;
import dev.vvtq.proto.inference.ModelInferRequest.InferInputTensor;
import dev.vvtq.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class InferRequestReaderTest {
  /** 4x4 inputs, 3 classes. */
  private final ModelDescription d = new ModelDescription("t", 4, 2, 8, 1, 2, 4, 4, List.of("a", "b", "c"),
      new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}, 0.875);

  private InferInputTensor.Builder images(long... shape) {
    InferInputTensor.Builder b = InferInputTensor.newBuilder().setName("images").setDatatype("FP32");
    for (long s : shape) {
      b.addShape(s);
    }
    return b;
  }

  private static InferTensorContents.Builder fp32(int count, float value) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int i = 0; i < count; i++) {
      c.addFp32Contents(value);
    }
    return c;
  }

  private InferRequestReader.Parsed read(ModelInferRequest.Builder r) {
    return InferRequestReader.read(r.setModelName("m").build(), d, d.evalPreprocessor(), new ImageSizeGuard(1_000_000));
  }

  private void assertInvalid(String part, Executable e) {
    InvalidRequestException ex = assertThrows(InvalidRequestException.class, e);
    assertTrue(ex.getMessage().contains(part), "'" + ex.getMessage() + "' should contain '" + part + "'");
  }

  @Test
  void typedAndRawFloatsGiveTheSameInputs() {
    float[] values = new float[2 * 48];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.25f - 3;
    }
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : values) {
      c.addFp32Contents(v);
    }
    InferRequestReader.Parsed typed = read(ModelInferRequest.newBuilder().addInputs(images(2, 3, 4, 4).setContents(c)));
    InferRequestReader.Parsed raw = read(ModelInferRequest.newBuilder().addInputs(images(2, 3, 4, 4))
        .addRawInputContents(RawTensors.floats(values, 0, values.length)));
    assertEquals(2, typed.n());
    assertEquals(false, typed.raw());
    assertEquals(true, raw.raw());
    assertArrayEquals(values, typed.inputs().get());
    assertArrayEquals(values, raw.inputs().get());
    assertEquals(KServeTensors.OUTPUTS, typed.outputs());
    assertEquals(3, typed.topK(), "default 5 capped at 3 classes");
  }

  @Test
  void structuralMistakesAreNamed() {
    assertInvalid("the request has 0 inputs", () -> read(ModelInferRequest.newBuilder()));
    assertInvalid("the request has 2 inputs ['images', 'x']",
        () -> read(ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4)).addInputs(InferInputTensor.newBuilder().setName("x"))));
    assertInvalid("raw_input_contents has 2 entries but the request has 1 input",
        () -> read(ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4))
            .addRawInputContents(ByteString.EMPTY).addRawInputContents(ByteString.EMPTY)));
    assertInvalid("sets contents while the request also uses raw_input_contents",
        () -> read(ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4).setContents(fp32(48, 0)))
            .addRawInputContents(ByteString.copyFrom(new byte[192]))));
    assertInvalid("is FP32 but its data is in int_contents; put it in fp32_contents",
        () -> read(ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4)
            .setContents(InferTensorContents.newBuilder().addIntContents(1)))));
    assertInvalid("has 47 fp32_contents values, but its shape [1, 3, 4, 4] needs 48",
        () -> read(ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4).setContents(fp32(47, 0)))));
    assertInvalid("has shape [0, 3, 4, 4]",
        () -> read(ModelInferRequest.newBuilder().addInputs(images(0, 3, 4, 4))));
    assertInvalid("has shape [3, 4, 4]", () -> read(ModelInferRequest.newBuilder().addInputs(images(3, 4, 4))));
    assertInvalid("output 'logits' is requested twice",
        () -> read(ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4).setContents(fp32(48, 0)))
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits"))
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits"))));
  }

  @Test
  void nonFiniteValuesAreRefusedWithTheirPosition() {
    InferTensorContents.Builder c = fp32(48, 0);
    c.setFp32Contents(16 + 5, Float.NaN);
    InferRequestReader.Parsed p = read(ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4).setContents(c)));
    assertInvalid("element 21 (image 0, channel 1, row 1, column 1) is NaN", () -> p.inputs().get());
  }

  @Test
  void topKComesFromTheRequestOrAnOutputAndMustAgree() {
    ModelInferRequest.Builder base = ModelInferRequest.newBuilder().addInputs(images(1, 3, 4, 4).setContents(fp32(48, 0)));
    InferParameter two = InferParameter.newBuilder().setInt64Param(2).build();
    assertEquals(2, read(base.clone().putParameters("top_k", two)).topK());
    assertEquals(2, read(base.clone().addOutputs(InferRequestedOutputTensor.newBuilder().setName("top_k_classes")
        .putParameters("top_k", two))).topK());
    assertInvalid("top_k is given as both 1 and 2", () -> read(base.clone()
        .putParameters("top_k", InferParameter.newBuilder().setInt64Param(1).build())
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("top_k_classes").putParameters("top_k", two))));
    assertInvalid("must be an integer (int64_param), got string_param", () -> read(base.clone()
        .putParameters("top_k", InferParameter.newBuilder().setStringParam("3").build())));
  }

  @Test
  void rawBytesElementsAreLengthPrefixed() {
    ByteString packed = RawTensors.bytesElements(List.of(ByteString.copyFromUtf8("ab"), ByteString.EMPTY,
        ByteString.copyFromUtf8("xyz")));
    assertEquals(4 + 2 + 4 + 4 + 3, packed.size());
    List<ByteString> back = RawTensors.readBytesElements(packed, "t");
    assertEquals(List.of("ab", "", "xyz"), back.stream().map(ByteString::toStringUtf8).toList());
    assertInvalid("element 1 at byte 6 declares 9 bytes but only 3 follow",
        () -> RawTensors.readBytesElements(ByteString.copyFrom(new byte[] {2, 0, 0, 0, 'a', 'b', 9, 0, 0, 0, 1, 2, 3}), "t"));
    assertInvalid("too few for its 4-byte little-endian length prefix",
        () -> RawTensors.readBytesElements(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 1, 2}), "t"));
  }

  @Test
  void imageBytesShapeAndCountMustAgree() {
    InferInputTensor.Builder bytes = InferInputTensor.newBuilder().setName("image_bytes").setDatatype("BYTES").addShape(2)
        .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("x")));
    assertInvalid("input 'image_bytes' has 1 elements in bytes_contents, but its shape [2] needs 2",
        () -> read(ModelInferRequest.newBuilder().addInputs(bytes)));
    assertInvalid("input 'image_bytes' must have datatype BYTES, got 'FP32'",
        () -> read(ModelInferRequest.newBuilder().addInputs(bytes.clone().setDatatype("FP32"))));
  }
}
