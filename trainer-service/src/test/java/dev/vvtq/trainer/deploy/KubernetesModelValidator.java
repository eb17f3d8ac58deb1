package dev.vvtq.trainer.deploy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates objects against the Kubernetes API's own model (client-java's classes, generated from
 * the API's OpenAPI spec): every field must be one the type declares, every required field present,
 * and every value of the declared JSON type (quantities parse). Reports every problem with its path.
 */
final class KubernetesModelValidator {

  /** The types our manifests may contain, by apiVersion and kind. */
  private static final Map<String, Class<?>> TYPES = Map.ofEntries(
      Map.entry("v1/Namespace", V1Namespace.class),
      Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
      Map.entry("v1/ConfigMap", V1ConfigMap.class),
      Map.entry("v1/Secret", V1Secret.class),
      Map.entry("v1/Service", V1Service.class),
      Map.entry("v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class),
      Map.entry("apps/v1/Deployment", V1Deployment.class),
      Map.entry("batch/v1/Job", V1Job.class),
      Map.entry("rbac.authorization.k8s.io/v1/Role", V1Role.class),
      Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding.class),
      Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
      Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class));

  private KubernetesModelValidator() {}

  /** Whether {@code apiVersion/kind} is a built-in type this validator knows. */
  static boolean knows(String apiVersion, String kind) {
    return TYPES.containsKey(apiVersion + "/" + kind);
  }

  /** Every problem of a built-in object; an unknown apiVersion/kind is one. */
  static List<String> problems(JsonObject object) {
    String apiVersion = string(object, "apiVersion");
    String kind = string(object, "kind");
    Class<?> type = TYPES.get(apiVersion + "/" + kind);
    List<String> out = new ArrayList<>();
    if (type == null) {
      out.add(apiVersion + "/" + kind + ": not a type these manifests may use (known: " + TYPES.keySet() + ")");
      return out;
    }
    String where = kind + "/" + nameOf(object);
    check(type, object, where, out);
    if (out.isEmpty()) {
      // The model's own generated check as well: it must agree with ours.
      try {
        type.getMethod("validateJsonElement", JsonElement.class).invoke(null, object);
      } catch (ReflectiveOperationException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        out.add(where + ": " + cause.getMessage());
      }
    }
    return out;
  }

  /** {@code value} checked as a {@code type}, at {@code path}. */
  static void check(Type type, JsonElement value, String path, List<String> out) {
    if (value.isJsonNull()) {
      return;
    }
    Class<?> raw = rawClass(type);
    if (raw == String.class) {
      expect(value.isJsonPrimitive() && value.getAsJsonPrimitive().isString(), "a string", value, path, out);
    } else if (raw == Integer.class || raw == Long.class) {
      boolean ok = value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()
          && value.getAsBigDecimal().stripTrailingZeros().scale() <= 0;
      expect(ok, "a whole number", value, path, out);
    } else if (raw == Double.class || raw == Float.class) {
      expect(value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber(), "a number", value, path, out);
    } else if (raw == Boolean.class) {
      expect(value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean(), "true or false", value, path, out);
    } else if (raw == IntOrString.class) {
      expect(value.isJsonPrimitive() && !value.getAsJsonPrimitive().isBoolean(), "a number or a name", value, path, out);
    } else if (raw == Quantity.class) {
      if (expect(value.isJsonPrimitive() && !value.getAsJsonPrimitive().isBoolean(), "a quantity", value, path, out)) {
        try {
          Quantity.fromString(value.getAsString());
        } catch (RuntimeException e) {
          out.add(path + ": '" + value.getAsString() + "' is not a Kubernetes quantity");
        }
      }
    } else if (raw == OffsetDateTime.class || raw == byte[].class) {
      expect(value.isJsonPrimitive() && value.getAsJsonPrimitive().isString(), "a string", value, path, out);
    } else if (raw == Object.class) {
      // Free-form (e.g. a CRD's schema): nothing to check.
    } else if (List.class.isAssignableFrom(raw)) {
      if (expect(value.isJsonArray(), "a list", value, path, out)) {
        Type item = typeArgument(type, 0);
        for (int i = 0; i < value.getAsJsonArray().size(); i++) {
          check(item, value.getAsJsonArray().get(i), path + "[" + i + "]", out);
        }
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      if (expect(value.isJsonObject(), "a map", value, path, out)) {
        Type item = typeArgument(type, 1);
        for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
          check(item, e.getValue(), path + "." + e.getKey(), out);
        }
      }
    } else {
      if (expect(value.isJsonObject(), "an object (" + raw.getSimpleName() + ")", value, path, out)) {
        checkModel(raw, value.getAsJsonObject(), path, out);
      }
    }
  }

  private static void checkModel(Class<?> model, JsonObject object, String path, List<String> out) {
    Map<String, Field> fields = new java.util.HashMap<>();
    for (Field f : model.getDeclaredFields()) {
      SerializedName n = f.getAnnotation(SerializedName.class);
      if (n != null && !Modifier.isStatic(f.getModifiers())) {
        fields.put(n.value(), f);
      }
    }
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      Field f = fields.get(e.getKey());
      if (f == null) {
        out.add(path + ": unknown field '" + e.getKey() + "' (" + model.getSimpleName() + " has " + fields.keySet() + ")");
      } else {
        check(f.getGenericType(), e.getValue(), path + "." + e.getKey(), out);
      }
    }
    for (String required : requiredFields(model)) {
      if (!object.has(required) || object.get(required).isJsonNull()) {
        out.add(path + ": missing required field '" + required + "' of " + model.getSimpleName());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Set<String> requiredFields(Class<?> model) {
    try {
      Field f = model.getField("openapiRequiredFields");
      return (Set<String>) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(model + " is not a Kubernetes model class (no openapiRequiredFields)", e);
    }
  }

  private static boolean expect(boolean ok, String what, JsonElement value, String path, List<String> out) {
    if (!ok) {
      out.add(path + ": expected " + what + ", got " + value);
    }
    return ok;
  }

  private static Class<?> rawClass(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("unexpected field type " + t);
  }

  private static Type typeArgument(Type t, int i) {
    if (t instanceof ParameterizedType p) {
      return p.getActualTypeArguments()[i];
    }
    return Object.class;
  }

  static String string(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  static String nameOf(JsonObject o) {
    JsonElement m = o.get("metadata");
    return m != null && m.isJsonObject() ? string(m.getAsJsonObject(), "name") : null;
  }
}
