package dev.vvtq.qat.softlabel;

import java.util.List;

/** Everything stored for one training image: its index, label, size and its M crops. */
public record SoftLabelRecord(int imageIndex, int label, int width, int height, List<CropLabel> crops) {}
