package dev.vvtq.qat.loss;

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
    // W / 0.5 = 0.3, 0.4, 0.6, 1.2, 1.45, 2.6, -0.2, -4.9 (4-bit: [-8, 7], nothing clipped but...)
    float[] w = {0.15f, 0.2f, 0.3f, 0.6f, 0.725f, 1.3f, -0.1f, -2.45f, 4.0f};
    try (NDManager m = NDManager.newBaseManager()) {
      QuantLinear l = new QuantLinear(9, 1, false, 4, 1, GroupAxis.OUT);
      l.initialize(m, new InitRandom(0));
      l.weight().assign(m, w);
      l.quantizer().alpha().assign(m, new float[] {alpha});
      ForwardContext ctx = ForwardContext.training(m, 0, true);
      l.quantizer().quantize("t", l.weight().array(), ctx);
      QuantizedWeight qw = ctx.quantizedWeights().get(0);
      double got = BinRegularizer.layer(qw).getFloat();

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

  @Test
  void gradientFlowsToWeightsAndStep() {
    try (NDManager m = NDManager.newBaseManager()) {
      QuantLinear l = new QuantLinear(16, 4, false, 4, 1, GroupAxis.OUT);
      l.initialize(m, new InitRandom(3));
      l.quantizer().alpha().assign(m, new float[] {0.01f});
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        ForwardContext ctx = ForwardContext.training(m, 0, true);
        l.quantizer().quantize("t", l.weight().array(), ctx);
        NDArray r = BinRegularizer.total(ctx.quantizedWeights(), m);
        gc.backward(r);
      }
      assertTrue(l.weight().array().getGradient().abs().sum().getFloat() > 0);
      assertTrue(Math.abs(l.quantizer().alpha().array().getGradient().getFloat(0)) > 0);
    }
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
