package dev.vvtq.qat.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.vvtq.qat.nn.ForwardContext;
import dev.vvtq.qat.nn.InitRandom;
import dev.vvtq.qat.quant.GroupAxis;
import dev.vvtq.qat.quant.QuantLinear;
import dev.vvtq.qat.quant.QuantizedWeight;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinRegularizerTest {

  @Test
  void valueEqualsHandComputation() {
    float alpha = 0.5f;
    float[] w = {0.15f, 0.2f, 0.3f, 0.6f, 0.725f, 1.3f, -0.1f, -2.45f, 4.0f};
    try (NDManager m = NDManager.newBaseManager()) {
      QuantLinear l = new QuantLinear(9, 1, false, 4, 1, GroupAxis.OUT);
      l.initialize(m, new InitRandom(0));
      l.weight().assign(m, w);
      l.quantizer().alpha().assign(m, new float[] {alpha});
      ForwardContext ctx = ForwardContext.training(m, 0, true);
      l.quantizer().quantize("t", l.weight().array(), ctx);
      double got = BinRegularizer.of(ctx.quantizedWeights(), m).value();

      // Hand computation: Wc = clamp(W/a, -8, 7) * a, Wq = round(W/a clamped) * a.
      double mse = 0;
      Map<Integer, List<Double>> bins = new HashMap<>();
      for (float v : w) {
        double c = Math.max(-8, Math.min(7, v / (double) alpha));
        int b = (int) Math.rint(c);
        double wc = c * alpha;
        double wq = b * alpha;
        mse += (wq - wc) * (wq - wc);
        bins.computeIfAbsent(b, k -> new ArrayList<>()).add(wc);
      }
      mse /= w.length;
      double var = 0;
      int skipped = 0;
      for (List<Double> members : bins.values()) {
        if (members.size() < 2) {
          skipped++;
          continue;
        }
        double mean = members.stream().mapToDouble(d -> d).average().orElseThrow();
        double ss = members.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum();
        var += ss / (members.size() - 1);
      }
      assertTrue(skipped >= 2, "the fixture must have single-member bins that are skipped");
      assertEquals(mse + var, got, 1e-6);
    }
  }

  /** The definition written with autograd ops, one masked variance per bin: the independent reference. */
  private static NDArray definition(QuantizedWeight w, NDManager m) {
    NDArray r = w.quantized().stopGradient().sub(w.clipped()).square().mean();
    float[] ints = w.integers().toFloatArray();
    for (int b = w.range().qn(); b <= w.range().qp(); b++) {
      int members = 0;
      for (float v : ints) {
        members += v == b ? 1 : 0;
      }
      if (members < 2) {
        continue;
      }
      NDArray mask = w.integers().eq(b).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
      NDArray mean = w.clipped().mul(mask).sum().div(m.create((float) members));
      NDArray dev = w.clipped().sub(mean).mul(mask);
      r = r.add(dev.square().sum().div(m.create((float) (members - 1))));
    }
    return r;
  }

  @Test
  void gradientEqualsAutogradOfTheDefinition() {
    float[][] grads = new float[2][];
    float[] alphaGrads = new float[2];
    double[] values = new double[2];
    for (int variant = 0; variant < 2; variant++) {
      try (NDManager m = NDManager.newBaseManager()) {
        QuantLinear l = new QuantLinear(24, 8, false, 3, 1, GroupAxis.OUT);
        l.initialize(m, new InitRandom(3));
        l.quantizer().alpha().assign(m, new float[] {0.012f});
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          ForwardContext ctx = ForwardContext.training(m, 0, true);
          l.quantizer().quantize("t", l.weight().array(), ctx);
          if (variant == 0) {
            NDArray r = definition(ctx.quantizedWeights().get(0), m);
            values[0] = r.getFloat();
            gc.backward(r);
          } else {
            BinRegularizer.Term t = BinRegularizer.of(ctx.quantizedWeights(), m);
            values[1] = t.value();
            gc.backward(t.gradientCarrier());
          }
        }
        grads[variant] = l.weight().array().getGradient().toFloatArray();
        alphaGrads[variant] = l.quantizer().alpha().array().getGradient().getFloat(0);
      }
    }
    assertEquals(values[0], values[1], 1e-6 * Math.max(1, Math.abs(values[0])));
    float scale = 0;
    for (float g : grads[0]) {
      scale = Math.max(scale, Math.abs(g));
    }
    assertTrue(scale > 0, "the fixture must have a non-zero gradient");
    assertArrayEquals(grads[0], grads[1], scale * 1e-4f);
    assertEquals(alphaGrads[0], alphaGrads[1], Math.abs(alphaGrads[0]) * 1e-4 + 1e-9);
  }

  @Test
  void lambdaScheduleIsZeroThenCosineRamp() {
    RegularizerSchedule s = new RegularizerSchedule(100);
    assertEquals(0, s.lambda(0), 0);
    assertEquals(0, s.lambda(24.9), 0);
    assertEquals(0, s.lambda(25), 1e-15);
    // halfway through the ramp (0.25T + 0.375T = 0.625T): half of 0.01
    assertEquals(0.005, s.lambda(62.5), 1e-12);
    assertEquals(0.01, s.lambda(100), 1e-15);
  }
}
