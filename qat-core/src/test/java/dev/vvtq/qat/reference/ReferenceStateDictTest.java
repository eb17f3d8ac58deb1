package dev.vvtq.qat.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vvtq.qat.torch.PyOrderedDict;
import dev.vvtq.qat.torch.TorchTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceStateDictTest {
  private static TorchTensor t() {
    return TorchTensor.ofFloats(new long[] {1}, new float[] {1});
  }

  @Test
  void findsTheStateDictUnderItsWrappersAndStripsTheDdpPrefix() {
    PyOrderedDict ddp = new PyOrderedDict();
    ddp.put("module.a.weight", t());
    ddp.put("module.b", t());
    Map<String, Object> saved = new LinkedHashMap<>();
    saved.put("epoch", 3);
    saved.put("state_dict", ddp);
    saved.put("optimizer", Map.of());
    ReferenceStateDict s = ReferenceStateDict.of(saved, "f");
    assertEquals(List.of("a.weight", "b"), List.copyOf(s.tensors().keySet()));
    assertEquals("module.", s.prefix());
    assertEquals(List.of("epoch", "optimizer"), s.ignored());

    ReferenceStateDict model = ReferenceStateDict.of(Map.of("model", Map.of("x", t())), "f");
    assertEquals("model", model.wrapper());
    assertEquals("", model.prefix());

    ReferenceStateDict bare = ReferenceStateDict.of(Map.of("module.x", t(), "y", t()), "f");
    assertEquals("", bare.prefix(), "the prefix is stripped only when every key has it");
    assertTrue(bare.tensors().containsKey("module.x"));
  }

  @Test
  void somethingElseIsRefusedSayingWhat() {
    Map<String, Object> notACheckpoint = new LinkedHashMap<>();
    notACheckpoint.put("epoch", 3);
    notACheckpoint.put("weights", List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReferenceStateDict.of(notACheckpoint, "f.pth"));
    assertTrue(e.getMessage().contains("'epoch' is not a tensor"), e.getMessage());
  }
}
