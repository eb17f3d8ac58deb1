package dev.vvtq.qat.softlabel;

/**
 * Progress of soft-label generation after a shard: shards and images done (skipped ones included),
 * and the throughput of images actually labelled in this run.
 */
public record GenerationProgress(
    int shardsDone, int shards, long imagesDone, long images, boolean shardSkipped, double imagesPerSecond) {}
