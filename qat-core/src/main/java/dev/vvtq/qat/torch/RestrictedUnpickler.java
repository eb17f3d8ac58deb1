package dev.vvtq.qat.torch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler limited to what a PyTorch checkpoint needs. Every global is looked up in an
 * allow-list of constructors written here (tensor rebuilding, storage types, {@code OrderedDict});
 * anything else, and the opcodes that instantiate classes by name ({@code INST}, {@code OBJ}, the
 * extension registry), fail with the global named. Pyrolite's own global table (which turns
 * unknown classes into dictionaries) is never consulted. Dictionaries keep their pickled order.
 */
final class RestrictedUnpickler extends Unpickler {
  /** Resolves a persistent storage id to its bytes. */
  interface Storages {
    TorchStorage load(String key, TorchDtype dtype, long numel, String location) throws IOException;
  }

  private static final Set<String> MODULE_ATTRIBUTES_DROPPED = Set.of("_metadata");

  private final Storages storages;
  private final Map<String, TorchStorage> loaded = new LinkedHashMap<>();

  RestrictedUnpickler(Storages storages) {
    this.storages = storages;
  }

  @Override
  protected Object dispatch(short key) throws PickleException, IOException {
    switch (key) {
      case Opcodes.GLOBAL -> {
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        stack.add(global(module, name));
        return NO_RETURN_VALUE;
      }
      case Opcodes.STACK_GLOBAL -> {
        Object name = stack.pop();
        Object module = stack.pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
          throw new DisallowedPickleException("STACK_GLOBAL with non-string module/name");
        }
        stack.add(global(m, n));
        return NO_RETURN_VALUE;
      }
      case Opcodes.INST, Opcodes.OBJ, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 -> throw new DisallowedPickleException(
          "refused pickle opcode " + (char) key + " (0x" + Integer.toHexString(key)
              + "): it instantiates a class by name, which no PyTorch checkpoint needs");
      case Opcodes.EMPTY_DICT -> {
        stack.add(new LinkedHashMap<>());
        return NO_RETURN_VALUE;
      }
      case Opcodes.SETITEM -> {
        Object value = stack.pop();
        Object k = stack.pop();
        dict(stack.peek()).put(k, value);
        return NO_RETURN_VALUE;
      }
      case Opcodes.SETITEMS -> {
        // Pyrolite's own SETITEMS goes through a HashMap and loses the pickled key order.
        java.util.List<Object> items = stack.pop_all_since_marker();
        Map<Object, Object> d = dict(stack.peek());
        for (int i = 0; i + 1 < items.size(); i += 2) {
          d.put(items.get(i), items.get(i + 1));
        }
        return NO_RETURN_VALUE;
      }
      case Opcodes.BUILD -> {
        Object state = stack.pop();
        Object target = stack.peek();
        // An OrderedDict's pickled __dict__ (a state_dict's _metadata: module versions) is dropped.
        if (target instanceof PyOrderedDict && state instanceof Map<?, ?> m
            && MODULE_ATTRIBUTES_DROPPED.containsAll(m.keySet())) {
          return NO_RETURN_VALUE;
        }
        throw new DisallowedPickleException("refused pickle BUILD (__setstate__) on " + describe(target)
            + ": only a state_dict's OrderedDict with its _metadata is accepted");
      }
      default -> {
        return super.dispatch(key);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> dict(Object o) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new PickleException("SETITEM(S) on a " + describe(o) + ", not a dict");
    }
    return (Map<Object, Object>) m;
  }

  private Object global(String module, String name) throws DisallowedPickleException {
    String full = module + "." + name;
    if (module.equals("torch")) {
      TorchDtype dtype = TorchDtype.ofStorageClass(name);
      if (dtype != null) {
        return dtype;
      }
    }
    IObjectConstructor c = switch (full) {
      case "torch._utils._rebuild_tensor_v2" -> RestrictedUnpickler::rebuildTensor;
      case "torch._utils._rebuild_parameter" -> args -> args[0];
      case "collections.OrderedDict" -> args -> {
        if (args.length != 0) {
          throw new PickleException("OrderedDict with constructor arguments");
        }
        return new PyOrderedDict();
      };
      case "_codecs.encode" -> args -> {
        // Protocol 2 writes bytes as _codecs.encode(text, 'latin1').
        if (args.length != 2 || !(args[0] instanceof String s) || !"latin1".equals(args[1])) {
          throw new PickleException("_codecs.encode other than (str, 'latin1')");
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
      };
      default -> null;
    };
    if (c == null) {
      throw new DisallowedPickleException("refused pickle global '" + full + "': a PyTorch checkpoint needs only"
          + " torch._utils._rebuild_tensor_v2/_rebuild_parameter, torch.*Storage and collections.OrderedDict;"
          + " this file may run code when loaded with torch.load, do not load it there either");
    }
    return c;
  }

  private static Object rebuildTensor(Object[] args) {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (args.length < 6 || !(args[0] instanceof TorchStorage storage)) {
      throw new PickleException("_rebuild_tensor_v2 needs (storage, offset, size, stride, requires_grad, hooks)");
    }
    if (args[5] instanceof Map<?, ?> hooks && !hooks.isEmpty()) {
      throw new PickleException("tensor with backward hooks");
    }
    if (storage.data() == null) {
      return new TorchStorage.Pending(storage, toLong(args[1]), longs(args[2]), longs(args[3]));
    }
    return TorchTensor.view(storage, toLong(args[1]), longs(args[2]), longs(args[3]));
  }

  @Override
  protected Object persistentLoad(Object pid) throws PickleException {
    // ('storage', storage_type, key, location, numel), plus view_metadata (None) in the legacy
    // format. Pyrolite's signature allows no checked exception: TorchCheckpointReader unwraps the
    // UncheckedIOException.
    if (!(pid instanceof Object[] t) || t.length < 5 || t.length > 6 || (t.length == 6 && t[5] != null)
        || !"storage".equals(t[0])) {
      throw new UncheckedIOException(new DisallowedPickleException("refused persistent id " + describe(pid)
          + ": a PyTorch checkpoint's are ('storage', type, key, location, numel)"));
    }
    if (!(t[1] instanceof TorchDtype dtype) || !(t[2] instanceof String key) || !(t[3] instanceof String location)) {
      throw new PickleException("malformed storage id " + describe(pid));
    }
    long numel = toLong(t[4]);
    TorchStorage s = loaded.get(key);
    if (s == null) {
      try {
        s = storages.load(key, dtype, numel, location);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      loaded.put(key, s);
    } else if (s.dtype() != dtype) {
      throw new PickleException("storage '" + key + "' read as both " + s.dtype() + " and " + dtype);
    }
    return s;
  }

  private static long[] longs(Object tuple) {
    if (!(tuple instanceof Object[] t)) {
      throw new PickleException("expected a tuple of ints, got " + describe(tuple));
    }
    long[] out = new long[t.length];
    for (int i = 0; i < t.length; i++) {
      out[i] = toLong(t[i]);
    }
    return out;
  }

  private static long toLong(Object o) {
    if (o instanceof Integer || o instanceof Long) {
      return ((Number) o).longValue();
    }
    throw new PickleException("expected an int, got " + describe(o));
  }

  private static String describe(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }
}
