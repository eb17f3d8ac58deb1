package dev.vvtq.engine;

import dev.vvtq.engine.kernels.Int8Matrix;
import dev.vvtq.engine.kernels.KernelScratch;
import dev.vvtq.engine.kernels.Kernels;
import dev.vvtq.engine.kernels.LowBitMatrix;
import dev.vvtq.engine.model.ModelConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The forward pass of docs/EXPORT-FORMAT.md on one {@link WorkerTeam} with its own buffers, sized
 * once for {@code maxBatch} images: nothing is allocated per call.
 *
 * <p>Two phases per block, separated by the team's barriers: (1) rows, split evenly between threads:
 * the rest of the previous block (proj + residual, LayerNorm, fc1, GELU, fc2 + residual) then this
 * block's LayerNorm, fused q/k/v product and the q, k, v quantizers, all row-local; (2) attention per
 * image, head and chunk of query rows, taken from a shared counter, the first chunk of each head
 * packing its k and v. The classifier reads only the class token, so the last block's attention,
 * proj and MLP run for class tokens only.
 */
final class ForwardPass {
  /** Query rows per attention task: a multiple of the 6-row register tile. */
  static final int ATTENTION_ROWS = 36;
  /** Row splits between threads are aligned to the 6-row register tile of the products. */
  private static final int ROW_ALIGN = 6;

  private final PreparedModel m;
  private final Kernels k;
  private final WorkerTeam team;
  private final OpTimer timer;
  private final int maxBatch;
  private final int d;
  private final int heads;
  private final int hd;
  private final int tokens;
  private final int patches;
  private final int mlp;
  private final int classes;
  private final int patchDim;
  private final int wide; // row width of acc and y: max(3D, M)

  private final float[] tok;
  private final float[] y;
  private final int[] acc;
  /** Quantized inputs of the D-wide products (q/k/v, proj, fc1) and of fc2. */
  private final double[] aIn;
  private final double[] aMlp;
  /** Quantized q, k and v, row-major [rows][3D]: head h of q at columns h*Hd, of k at D + h*Hd, ... */
  private final double[] qkv;
  private final LowBitMatrix[] kLowBit;
  private final LowBitMatrix[] vLowBit;
  private final Int8Matrix[] kInt8;
  private final Int8Matrix[] vInt8;
  private final int[][] vShiftSum;
  private final KernelScratch[] scratch;
  private final int[][] scores;
  private final double[][] probsA;
  private final int[][] outAcc;
  private final double[] clsA;
  private final int[] headAcc;
  private final long bytes;

  // the call in progress; published to helpers by the team's phase hand-off
  private float[] images;
  private int imagesOff;
  private int batch;
  private int block;
  private boolean lastBlock;
  private final AtomicInteger tasks = new AtomicInteger();
  /** Per image and head: the attention round whose k and v are packed (rounds count up, never reset). */
  private final AtomicIntegerArray packedRound;
  private int round;

  private final WorkerTeam.Phase embedPhase = this::embed;
  private final WorkerTeam.Phase rowsPhase = this::rows;
  private final WorkerTeam.Phase attentionPhase = this::attention;

  ForwardPass(PreparedModel m, Kernels k, WorkerTeam team, OpTimer timer, int maxBatch) {
    this.m = m;
    this.k = k;
    this.team = team;
    this.timer = timer;
    this.maxBatch = maxBatch;
    ModelConfig c = m.config;
    d = c.embedDim();
    heads = c.numHeads();
    hd = c.headDim();
    tokens = c.tokens();
    patches = c.numPatches();
    mlp = c.mlpDim();
    classes = c.numClasses();
    patchDim = c.patchDim();
    wide = Math.max(3 * d, mlp);
    int rows = maxBatch * tokens;
    tok = new float[rows * d];
    y = new float[Math.max(rows * wide, maxBatch * patches * patchDim)];
    acc = new int[Math.max(rows * wide, maxBatch * patches * d)];
    aIn = new double[rows * d];
    // fc2's input, and the quantized patches before the first block
    aMlp = new double[Math.max(rows * mlp, maxBatch * patches * patchDim)];
    qkv = new double[rows * 3 * d];
    int pairs = maxBatch * heads;
    kLowBit = new LowBitMatrix[m.attentionLowBit ? pairs : 0];
    vLowBit = new LowBitMatrix[m.attentionLowBit ? pairs : 0];
    kInt8 = new Int8Matrix[m.attentionLowBit ? 0 : pairs];
    vInt8 = new Int8Matrix[m.attentionLowBit ? 0 : pairs];
    vShiftSum = new int[m.attentionLowBit ? 0 : pairs][hd];
    packedRound = new AtomicIntegerArray(pairs);
    long opBytes = 0;
    for (int i = 0; i < pairs; i++) {
      if (m.attentionLowBit) {
        kLowBit[i] = k.newLowBitOperand(tokens, hd);
        vLowBit[i] = k.newLowBitOperand(hd, tokens);
        opBytes += kLowBit[i].bytesHeld() + vLowBit[i].bytesHeld();
      } else {
        kInt8[i] = k.newInt8Operand(tokens, hd);
        vInt8[i] = k.newInt8Operand(hd, tokens);
        opBytes += kInt8[i].bytesHeld() + vInt8[i].bytesHeld() + 4L * hd;
      }
    }
    int threads = team.threads();
    int maxK = Math.max(Math.max(d, mlp), Math.max(patchDim, tokens));
    scratch = new KernelScratch[threads];
    scores = new int[threads][ATTENTION_ROWS * tokens];
    probsA = new double[threads][ATTENTION_ROWS * tokens];
    outAcc = new int[threads][ATTENTION_ROWS * hd];
    long threadBytes = 0;
    for (int t = 0; t < threads; t++) {
      scratch[t] = k.newScratch(maxK);
      threadBytes += scratch[t].bytesHeld() + ATTENTION_ROWS * (12L * tokens + 4L * hd);
    }
    clsA = new double[maxBatch * d];
    headAcc = new int[maxBatch * classes];
    bytes = 4L * (tok.length + y.length + acc.length + headAcc.length)
        + 8L * (aIn.length + aMlp.length + qkv.length + clsA.length) + opBytes + threadBytes;
  }

  /** Bytes of all buffers of this pass. */
  long bytesHeld() {
    return bytes;
  }

  int maxBatch() {
    return maxBatch;
  }

  /**
   * Logits of {@code count <= maxBatch} normalised images (C x H x W floats each, from {@code
   * imagesOff}) into {@code logits} from {@code logitsOff}.
   */
  void run(float[] images, int imagesOff, int count, float[] logits, int logitsOff) {
    if (count < 1 || count > maxBatch) {
      throw new IllegalArgumentException("batch of " + count + " outside [1, " + maxBatch + "]");
    }
    this.images = images;
    this.imagesOff = imagesOff;
    this.batch = count;
    team.run(embedPhase);
    int depth = m.blocks.length;
    for (int i = 0; i < depth; i++) {
      block = i;
      lastBlock = i == depth - 1;
      team.run(rowsPhase);
      tasks.set(0);
      round++;
      team.run(attentionPhase);
    }
    classify(logits, logitsOff);
    this.images = null;
  }

  // ---- phases ----------------------------------------------------------------------------------

  /** First row of thread t's share of {@code total} rows, aligned to the register tile. */
  private static int splitPoint(int t, int threads, int total) {
    if (t >= threads) {
      return total;
    }
    int r = (int) ((long) total * t / threads);
    return Math.min(total, (r + ROW_ALIGN / 2) / ROW_ALIGN * ROW_ALIGN);
  }

  /** Patch embedding: gather, quantize, 8-bit product into position-embedded token rows. */
  private void embed(int thread, int threads) {
    int total = batch * patches;
    int p0 = splitPoint(thread, threads, total);
    int p1 = splitPoint(thread + 1, threads, total);
    long t0 = timer.start();
    int ps = m.config.patchSize();
    int img = m.config.imgSize();
    int grid = m.config.gridSize();
    int chans = m.config.inChans();
    for (int pr = p0; pr < p1; pr++) {
      int b = pr / patches;
      int n = pr % patches;
      int src0 = imagesOff + b * chans * img * img + (n / grid) * ps * img + (n % grid) * ps;
      int dst = pr * patchDim;
      for (int c = 0; c < chans; c++) {
        for (int kh = 0; kh < ps; kh++, dst += ps) {
          System.arraycopy(images, src0 + (c * img + kh) * img, y, dst, ps);
        }
      }
    }
    // position embedding first: the dequantization then adds the patch projection onto it
    for (int b = thread; b < batch; b += threads) {
      int row = b * tokens * d;
      for (int j = 0; j < d; j++) {
        tok[row + j] = m.clsToken[j] + m.posEmbed[j];
      }
    }
    for (int b = p0 / patches; b < batch && b * patches < p1; b++) {
      int n0 = Math.max(p0, b * patches) - b * patches;
      int n1 = Math.min(p1, (b + 1) * patches) - b * patches;
      System.arraycopy(m.posEmbed, (1 + n0) * d, tok, (b * tokens + 1 + n0) * d, (n1 - n0) * d);
    }
    timer.stop(thread, OpClass.OTHER, t0);
    if (p1 <= p0) {
      return;
    }
    t0 = timer.start();
    k.quantize(y, p0 * patchDim, patchDim, p1 - p0, patchDim, m.patchEmbed.input, 0, aMlp, p0 * patchDim, patchDim);
    timer.stop(thread, OpClass.QUANTIZE, t0);
    for (int b = p0 / patches; b < batch && b * patches < p1; b++) {
      int n0 = Math.max(p0, b * patches) - b * patches;
      int n1 = Math.min(p1, (b + 1) * patches) - b * patches;
      int pr = b * patches + n0;
      m.patchEmbed.apply(k, aMlp, pr * patchDim, patchDim, n1 - n0, acc, pr * d, d, scratch[thread],
          tok, (b * tokens + 1 + n0) * d, d, true, timer, thread);
    }
  }

  private void rows(int thread, int threads) {
    int total = batch * tokens;
    int r0 = splitPoint(thread, threads, total);
    int r1 = splitPoint(thread + 1, threads, total);
    if (r1 <= r0) {
      return;
    }
    if (block > 0) {
      finishBlock(m.blocks[block - 1], r0, r1 - r0, 1, thread);
    }
    startBlock(m.blocks[block], r0, r1 - r0, thread);
  }

  /**
   * proj + residual, LayerNorm, fc1, GELU, fc2 + residual for {@code count} rows from {@code first},
   * {@code step} rows apart (1: consecutive; tokens: class tokens).
   */
  private void finishBlock(BlockPlan bp, int first, int count, int step, int thread) {
    KernelScratch s = scratch[thread];
    bp.proj.apply(k, aIn, first * d, d * step, count, acc, first * wide, wide * step, s, tok, first * d, d * step, true,
        timer, thread);
    long t0 = timer.start();
    k.layerNormThenQuantize(tok, first * d, d * step, count, d, bp.norm2Weight, bp.norm2Bias, m.eps, bp.fc1.input, 0,
        aIn, first * d, d * step, s);
    timer.stop(thread, OpClass.LAYERNORM, t0);
    bp.fc1.apply(k, aIn, first * d, d * step, count, acc, first * wide, wide * step, s, y, first * wide, wide * step,
        false, timer, thread);
    t0 = timer.start();
    k.geluThenQuantize(y, first * wide, wide * step, count, mlp, bp.fc2.input, 0, aMlp, first * mlp, mlp * step, s);
    timer.stop(thread, OpClass.GELU, t0);
    bp.fc2.apply(k, aMlp, first * mlp, mlp * step, count, acc, first * wide, wide * step, s, tok, first * d, d * step,
        true, timer, thread);
  }

  /** LayerNorm, fused q/k/v product, and the q, k, v quantizers. */
  private void startBlock(BlockPlan bp, int r0, int count, int thread) {
    KernelScratch s = scratch[thread];
    long t0 = timer.start();
    k.layerNormThenQuantize(tok, r0 * d, d, count, d, bp.norm1Weight, bp.norm1Bias, m.eps, bp.qkv.input, 0, aIn,
        r0 * d, d, s);
    timer.stop(thread, OpClass.LAYERNORM, t0);
    t0 = timer.start();
    bp.qkv.product(k, aIn, r0 * d, d, count, 0, d, acc, r0 * wide, wide, s);
    timer.stop(thread, OpClass.LINEAR, t0);
    t0 = timer.start();
    k.dequantizeThenQuantize(acc, r0 * wide, wide, count, 3 * d, bp.qkv.scale[0], bp.qkv.shiftRowSum0(), bp.qkv.bias, 0,
        bp.quantQkv, 0, qkv, r0 * 3 * d, 3 * d);
    timer.stop(thread, OpClass.QUANTIZE, t0);
  }

  /** k and v of one image and head into right operands: k rows are tokens, v rows head dimensions. */
  private void pack(int i, int thread) {
    int bits = m.attentionBits;
    long t0 = timer.start();
    int w = 3 * d;
    int kOff = (i / heads) * tokens * w + d + (i % heads) * hd;
    int vOff = kOff + d;
    if (m.attentionLowBit) {
      k.packLowBit(qkv, kOff, w, 1, tokens, hd, bits, kLowBit[i]);
      k.packLowBit(qkv, vOff, 1, w, hd, tokens, bits, vLowBit[i]);
    } else {
      k.packInt8(qkv, kOff, w, 1, tokens, hd, bits, kInt8[i]);
      k.packInt8(qkv, vOff, 1, w, hd, tokens, bits, vInt8[i]);
      // probabilities enter the 8-bit product shifted down: add shift x (column sums of v) back
      int shift = m.blocks[block].quantAttn[0].shift();
      int[] sums = vShiftSum[i];
      java.util.Arrays.fill(sums, 0);
      for (int t = 0; t < tokens; t++) {
        for (int j = 0; j < hd; j++) {
          sums[j] += (int) qkv[vOff + t * w + j];
        }
      }
      for (int j = 0; j < hd; j++) {
        sums[j] *= shift;
      }
    }
    timer.stop(thread, OpClass.ATTENTION, t0);
  }

  /**
   * Tasks ordered chunk-major: the first task of each image and head packs its k and v (so threads
   * pack different heads at once), and later chunks of that head wait for the packing, which has
   * already been handed out and is running.
   */
  private void attention(int thread, int threads) {
    int pairs = batch * heads;
    int chunks = lastBlock ? 1 : (tokens + ATTENTION_ROWS - 1) / ATTENTION_ROWS;
    for (int i; (i = tasks.getAndIncrement()) < pairs * chunks; ) {
      int pair = i % pairs;
      int c = i / pairs;
      if (c == 0) {
        pack(pair, thread);
        packedRound.set(pair, round);
      } else {
        long w0 = timer.start();
        while (packedRound.get(pair) != round) {
          Thread.onSpinWait();
        }
        timer.stop(thread, OpClass.ATTENTION, w0);
      }
      int t0 = c * ATTENTION_ROWS;
      int t1 = lastBlock ? 1 : Math.min(tokens, t0 + ATTENTION_ROWS);
      attend(pair / heads, pair % heads, t0, t1, thread);
    }
  }

  /** Query rows [t0, t1) of image b, head h: scores, softmax, quantized probabilities, times v. */
  private void attend(int b, int h, int t0, int t1, int thread) {
    BlockPlan bp = m.blocks[block];
    int pair = b * heads + h;
    int rows = t1 - t0;
    int qOff = (b * tokens + t0) * 3 * d + h * hd;
    int[] s = scores[thread];
    double[] pa = probsA[thread];
    KernelScratch ks = scratch[thread];
    long c0 = timer.start();
    if (m.attentionLowBit) {
      k.lowBitGemm(qkv, qOff, 3 * d, m.attentionBits, rows, kLowBit[pair], 0, hd, s, 0, tokens, ks);
    } else {
      k.int8Gemm(qkv, qOff, 3 * d, m.attentionBits, rows, kInt8[pair], 0, hd, s, 0, tokens, ks);
    }
    timer.stop(thread, OpClass.ATTENTION, c0);
    c0 = timer.start();
    k.softmaxThenQuantize(s, 0, tokens, rows, tokens, bp.scoreScale[h], bp.quantAttn[h], pa, 0, tokens, ks);
    timer.stop(thread, OpClass.SOFTMAX, c0);
    c0 = timer.start();
    int[] o = outAcc[thread];
    if (m.attentionLowBit) {
      k.lowBitGemm(pa, 0, tokens, bp.quantAttn[h].bits(), rows, vLowBit[pair], 0, tokens, o, 0, hd, ks);
    } else {
      k.int8Gemm(pa, 0, tokens, bp.quantAttn[h].bits(), rows, vInt8[pair], 0, tokens, o, 0, hd, ks);
    }
    timer.stop(thread, OpClass.ATTENTION, c0);
    c0 = timer.start();
    k.dequantizeThenQuantize(o, 0, hd, rows, hd, bp.outputScale[h], m.attentionLowBit ? null : vShiftSum[pair], null, 0,
        bp.proj.input, h * hd, aIn, (b * tokens + t0) * d + h * hd, d);
    timer.stop(thread, OpClass.QUANTIZE, c0);
  }

  /** The last block's proj and MLP, final LayerNorm and head, for class tokens only (caller thread). */
  private void classify(float[] logits, int logitsOff) {
    finishBlock(m.blocks[m.blocks.length - 1], 0, batch, tokens, 0);
    long t0 = timer.start();
    k.layerNormThenQuantize(tok, 0, d * tokens, batch, d, m.normWeight, m.normBias, m.eps, m.head.input, 0, clsA, 0, d,
        scratch[0]);
    timer.stop(0, OpClass.LAYERNORM, t0);
    m.head.apply(k, clsA, 0, d, batch, headAcc, 0, classes, scratch[0], logits, logitsOff, classes, false, timer, 0);
  }
}
