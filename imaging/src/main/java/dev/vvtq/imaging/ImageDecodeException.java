package dev.vvtq.imaging;

/** An image that could not be decoded; the message names the file (or source) and the reason. */
public final class ImageDecodeException extends RuntimeException {
  private final String source;

  public ImageDecodeException(String source, String reason) {
    super(source + ": cannot decode image: " + reason);
    this.source = source;
  }

  public ImageDecodeException(String source, String reason, Throwable cause) {
    super(source + ": cannot decode image: " + reason, cause);
    this.source = source;
  }

  /** The file path or caller-given name of the undecodable image. */
  public String source() {
    return source;
  }
}
