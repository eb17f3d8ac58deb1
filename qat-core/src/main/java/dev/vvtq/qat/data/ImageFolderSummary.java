package dev.vvtq.qat.data;

import java.util.List;

/**
 * What a scan of an image folder found: files kept, and the undecodable files skipped (only when
 * skipping was asked for), each as {@code "path: reason"}.
 */
public record ImageFolderSummary(int kept, int skipped, List<String> skippedFiles) {
  public ImageFolderSummary {
    skippedFiles = List.copyOf(skippedFiles);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(kept + " images kept, " + skipped + " undecodable skipped");
    for (int i = 0; i < Math.min(10, skippedFiles.size()); i++) {
      sb.append("\n  skipped ").append(skippedFiles.get(i));
    }
    if (skippedFiles.size() > 10) {
      sb.append("\n  ... and ").append(skippedFiles.size() - 10).append(" more");
    }
    return sb.toString();
  }
}
