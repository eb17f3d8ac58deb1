package dev.vvtq.qat.data;

import java.nio.file.Path;

/** One image of an {@link ImageFolder}: its file and its class index. */
public record ImageEntry(Path path, int label) {}
