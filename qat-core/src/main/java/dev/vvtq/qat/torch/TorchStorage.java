package dev.vvtq.qat.torch;

/** One raw storage of a checkpoint ({@code data/<key>} in the archive) and its element type. */
record TorchStorage(String key, TorchDtype dtype, byte[] data) {}
