package dev.vvtq.qat.torch;

import java.util.LinkedHashMap;

/** Python's {@code collections.OrderedDict} (what {@code state_dict()} returns), read or to be written. */
public final class PyOrderedDict extends LinkedHashMap<Object, Object> {
  private static final long serialVersionUID = 1L;
}
