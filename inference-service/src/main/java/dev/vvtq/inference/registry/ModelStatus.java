package dev.vvtq.inference.registry;

import dev.vvtq.inference.model.ModelDescription;
import java.time.Instant;

/**
 * A snapshot of one registered model.
 *
 * @param reason why loading failed; null otherwise
 * @param description null until the model's metadata has been read
 * @param sha256 of model.safetensors as verified; null until then
 * @param readySince null unless ready or unloading
 * @param backend the engine backend computing the model ({@code java}, {@code onednn}); null until loaded
 */
public record ModelStatus(
    String name,
    String version,
    String storeKey,
    ModelState state,
    String reason,
    ModelDescription description,
    String sha256,
    Instant readySince,
    int queueDepth,
    int queueCapacity,
    String backend) {}
