package dev.vvtq.qat.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A piece of a model with named parameters and named children, in the spirit of DJL's blocks:
 * parameters are declared once in the constructor and the forward methods are free of parameter
 * bookkeeping. Names compose with dots, so a parameter's full name is its timm name.
 */
public abstract class Layer {
  private final Map<String, Param> params = new LinkedHashMap<>();
  private final Map<String, Layer> children = new LinkedHashMap<>();
  private String path = "";

  /** Declares a parameter. */
  protected final Param param(String name, ParamKind kind, Shape shape) {
    Param p = new Param(kind, shape);
    if (params.putIfAbsent(name, p) != null) {
      throw new IllegalStateException("parameter '" + name + "' declared twice");
    }
    return p;
  }

  /** Declares a child layer. */
  protected final <L extends Layer> L child(String name, L layer) {
    if (children.putIfAbsent(name, layer) != null) {
      throw new IllegalStateException("child '" + name + "' declared twice");
    }
    return layer;
  }

  /** This layer's dotted name inside the root it was named from ("" for a root). */
  public final String path() {
    return path;
  }

  /** Names every descendant by its dotted path from this layer; call once on the root. */
  public final void assignPaths() {
    namedLayers().forEach((name, layer) -> layer.path = name);
  }

  /** Direct children by name. */
  public final Map<String, Layer> children() {
    return Collections.unmodifiableMap(children);
  }

  /** Every parameter of this layer and its descendants by full dotted name, in declaration order. */
  public final Map<String, Param> namedParameters() {
    Map<String, Param> out = new LinkedHashMap<>();
    collect("", out);
    return out;
  }

  private void collect(String prefix, Map<String, Param> out) {
    params.forEach((n, p) -> out.put(prefix + n, p));
    children.forEach((n, c) -> c.collect(prefix + n + ".", out));
  }

  /** Visits this layer and every descendant, depth first, parents before children. */
  public final void visit(Consumer<Layer> visitor) {
    visitor.accept(this);
    children.values().forEach(c -> c.visit(visitor));
  }

  /** Every descendant (and this layer) by dotted name ("" for this one). */
  public final Map<String, Layer> namedLayers() {
    Map<String, Layer> out = new LinkedHashMap<>();
    collectLayers("", out);
    return out;
  }

  private void collectLayers(String name, Map<String, Layer> out) {
    out.put(name, this);
    children.forEach((n, c) -> c.collectLayers(name.isEmpty() ? n : name + "." + n, out));
  }

  /** Gives every parameter its initial values; children first declared, first initialised. */
  public final void initialize(NDManager manager, InitRandom random) {
    initializeOwn(manager, random);
    children.values().forEach(c -> c.initialize(manager, random));
  }

  /** Initialises this layer's own parameters (not its children's). */
  protected abstract void initializeOwn(NDManager manager, InitRandom random);
}
