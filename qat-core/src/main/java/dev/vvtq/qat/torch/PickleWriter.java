package dev.vvtq.qat.torch;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A protocol-2 pickle of the values a checkpoint holds (dicts, {@link PyOrderedDict}, lists, tuples
 * as {@code Object[]}, strings, ints, floats, booleans, None) with tensors written as PyTorch does:
 * {@code torch._utils._rebuild_tensor_v2} over a persistent storage id. It names no global beyond
 * those PyTorch's own {@code weights_only} loader accepts.
 */
final class PickleWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Consumer<TorchTensor> storages;
  private int nextKey;

  /** @param storages receives every tensor in the order of its storage key (0, 1, 2, ...) */
  PickleWriter(Consumer<TorchTensor> storages) {
    this.storages = storages;
  }

  /** The pickle of {@code root}: PROTO 2, the value, STOP. */
  byte[] pickle(Object root) {
    out.write(0x80);
    out.write(2);
    write(root);
    out.write('.');
    return out.toByteArray();
  }

  private void write(Object v) {
    if (v == null) {
      out.write('N');
    } else if (v instanceof Boolean b) {
      out.write(b ? 0x88 : 0x89);
    } else if (v instanceof Integer || v instanceof Long) {
      writeInt(((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      out.write('G');
      out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(((Number) v).doubleValue()).array());
    } else if (v instanceof String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write('X');
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
      out.writeBytes(b);
    } else if (v instanceof TorchTensor t) {
      writeTensor(t);
    } else if (v instanceof PyOrderedDict d) {
      global("collections", "OrderedDict");
      out.write(')');
      out.write('R');
      items(d);
    } else if (v instanceof Map<?, ?> d) {
      out.write('}');
      items(d);
    } else if (v instanceof List<?> l) {
      out.write(']');
      if (!l.isEmpty()) {
        out.write('(');
        l.forEach(this::write);
        out.write('e');
      }
    } else if (v instanceof Object[] t) {
      tuple(t);
    } else {
      throw new IllegalArgumentException("cannot pickle a " + v.getClass().getName());
    }
  }

  private void items(Map<?, ?> d) {
    if (!d.isEmpty()) {
      out.write('(');
      d.forEach((k, val) -> {
        write(k);
        write(val);
      });
      out.write('u');
    }
  }

  private void tuple(Object[] t) {
    switch (t.length) {
      case 0 -> out.write(')');
      case 1, 2, 3 -> {
        for (Object o : t) {
          write(o);
        }
        out.write(0x84 + t.length);
      }
      default -> {
        out.write('(');
        for (Object o : t) {
          write(o);
        }
        out.write('t');
      }
    }
  }

  private void writeInt(long x) {
    if (x >= 0 && x < 256) {
      out.write('K');
      out.write((int) x);
    } else if (x >= 0 && x < 65536) {
      out.write('M');
      out.write((int) (x & 0xFF));
      out.write((int) (x >>> 8));
    } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
      out.write('J');
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) x).array());
    } else {
      // LONG1: little-endian two's complement, as short as it can be.
      byte[] be = BigInteger.valueOf(x).toByteArray();
      out.write(0x8a);
      out.write(be.length);
      for (int i = be.length - 1; i >= 0; i--) {
        out.write(be[i]);
      }
    }
  }

  private void global(String module, String name) {
    out.write('c');
    out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private void writeTensor(TorchTensor t) {
    long[] shape = t.shape();
    Object[] size = new Object[shape.length];
    Object[] stride = new Object[shape.length];
    long s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      size[d] = shape[d];
      stride[d] = s;
      s *= shape[d];
    }
    global("torch._utils", "_rebuild_tensor_v2");
    out.write('(');
    out.write('(');
    write("storage");
    global("torch", t.dtype().storageClass());
    write(Integer.toString(nextKey++));
    write("cpu");
    writeInt(t.numel());
    out.write('t');
    out.write('Q');
    storages.accept(t);
    writeInt(0);
    tuple(size);
    tuple(stride);
    write(Boolean.FALSE);
    write(new PyOrderedDict());
    out.write('t');
    out.write('R');
  }
}
