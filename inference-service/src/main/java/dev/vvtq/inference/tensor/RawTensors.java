package dev.vvtq.inference.tensor;

import com.google.protobuf.ByteString;
import dev.vvtq.inference.serving.InvalidRequestException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol's raw tensor encoding: elements in row-major order, little-endian, no padding; a BYTES
 * element is a 4-byte little-endian length followed by that many bytes.
 */
public final class RawTensors {
  private RawTensors() {}

  /** Reads {@code count} floats; the caller has checked the size. */
  public static void readFloats(ByteString raw, float[] out, int count) {
    raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, 0, count);
  }

  /** Splits a raw BYTES tensor into its elements; {@code what} names it in errors. */
  public static List<ByteString> readBytesElements(ByteString raw, String what) {
    ByteBuffer buf = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    List<ByteString> out = new ArrayList<>();
    while (buf.hasRemaining()) {
      int at = buf.position();
      if (buf.remaining() < 4) {
        throw new InvalidRequestException(what + ": element " + out.size() + " at byte " + at + " has "
            + buf.remaining() + " bytes left, too few for its 4-byte little-endian length prefix");
      }
      long length = Integer.toUnsignedLong(buf.getInt());
      if (length > buf.remaining()) {
        throw new InvalidRequestException(what + ": element " + out.size() + " at byte " + at + " declares "
            + length + " bytes but only " + buf.remaining() + " follow");
      }
      out.add(raw.substring(buf.position(), buf.position() + (int) length));
      buf.position(buf.position() + (int) length);
    }
    return out;
  }

  public static ByteString floats(float[] values, int from, int count) {
    ByteBuffer b = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values, from, count);
    return ByteString.copyFrom(b.array());
  }

  public static ByteString longs(long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return ByteString.copyFrom(b.array());
  }

  public static ByteString bytesElements(List<ByteString> elements) {
    int size = 0;
    for (ByteString e : elements) {
      size += 4 + e.size();
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (ByteString e : elements) {
      b.putInt(e.size());
      e.copyTo(b);
    }
    return ByteString.copyFrom(b.array());
  }
}
