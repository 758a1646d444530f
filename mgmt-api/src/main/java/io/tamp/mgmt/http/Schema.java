package io.tamp.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request body's shape: its fields, their JSON types and which are required. The same object
 * validates every request (unknown fields, wrong types and missing fields are 400s naming the
 * field) and is written into the OpenAPI document, so the two cannot disagree.
 */
public final class Schema {
    public enum Type {
        STRING("string"), INTEGER("integer"), BOOLEAN("boolean"), STRING_ARRAY("array"), INTEGER_ARRAY("array"), OBJECT_ARRAY("array");

        final String json;

        Type(String json) {
            this.json = json;
        }
    }

    record Field(String name, Type type, boolean required, String description, Schema items) {
    }

    private final Map<String, Field> fields = new LinkedHashMap<>();

    public static Schema object() {
        return new Schema();
    }

    public Schema required(String name, Type type, String description) {
        fields.put(name, new Field(name, type, true, description, null));
        return this;
    }

    public Schema optional(String name, Type type, String description) {
        fields.put(name, new Field(name, type, false, description, null));
        return this;
    }

    /** A required array of objects of the given shape. */
    public Schema requiredArray(String name, Schema items, String description) {
        fields.put(name, new Field(name, Type.OBJECT_ARRAY, true, description, items));
        return this;
    }

    public Schema optionalArray(String name, Schema items, String description) {
        fields.put(name, new Field(name, Type.OBJECT_ARRAY, false, description, items));
        return this;
    }

    /** Checks body against this schema; returns it as an object node. */
    public ObjectNode validate(JsonNode body) {
        return validate(body, "");
    }

    private ObjectNode validate(JsonNode body, String path) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest(path.isEmpty() ? null : path, "expected a JSON object"
                    + (path.isEmpty() ? " as the request body" : " at " + path));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!fields.containsKey(name)) {
                throw ApiException.badRequest(path + name, "unknown field '" + path + name + "'");
            }
        }
        for (Field f : fields.values()) {
            JsonNode v = body.get(f.name);
            String at = path + f.name;
            if (v == null || v.isNull()) {
                if (f.required) {
                    throw ApiException.badRequest(at, "field '" + at + "' is required");
                }
                continue;
            }
            boolean ok = switch (f.type) {
                case STRING -> v.isTextual();
                case INTEGER -> v.isIntegralNumber() && v.canConvertToLong();
                case BOOLEAN -> v.isBoolean();
                case STRING_ARRAY -> v.isArray() && all(v, JsonNode::isTextual);
                case INTEGER_ARRAY -> v.isArray() && all(v, e -> e.isIntegralNumber() && e.canConvertToLong());
                case OBJECT_ARRAY -> v.isArray();
            };
            if (!ok) {
                throw ApiException.badRequest(at, "field '" + at + "' must be " + describe(f.type));
            }
            if (f.items != null) {
                for (int i = 0; i < v.size(); i++) {
                    f.items.validate(v.get(i), at + "[" + i + "].");
                }
            }
        }
        return (ObjectNode) body;
    }

    private static boolean all(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode e : array) {
            if (!test.test(e)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Type t) {
        return switch (t) {
            case STRING -> "a string";
            case INTEGER -> "an integer";
            case BOOLEAN -> "true or false";
            case STRING_ARRAY -> "an array of strings";
            case INTEGER_ARRAY -> "an array of integers";
            case OBJECT_ARRAY -> "an array of objects";
        };
    }

    /** This schema as an OpenAPI 3 Schema Object. */
    public ObjectNode toOpenApi() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode s = f.objectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode props = s.putObject("properties");
        List<String> required = new ArrayList<>();
        for (Field field : fields.values()) {
            ObjectNode p = props.putObject(field.name).put("type", field.type.json);
            if (field.type == Type.INTEGER) {
                p.put("format", "int64");
            }
            if (field.type == Type.STRING_ARRAY) {
                p.putObject("items").put("type", "string");
            }
            if (field.type == Type.INTEGER_ARRAY) {
                p.putObject("items").put("type", "integer").put("format", "int64");
            }
            if (field.items != null) {
                p.set("items", field.items.toOpenApi());
            }
            p.put("description", field.description);
            if (field.required) {
                required.add(field.name);
            }
        }
        if (!required.isEmpty()) {
            required.forEach(s.putArray("required")::add);
        }
        return s;
    }

    /** Field names, for tests that compare the document with the code. */
    public List<String> fieldNames() {
        return List.copyOf(fields.keySet());
    }
}
