package dev.veil.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into nodes that remember where they are in the text (line and column from 1, as
 * Jackson's locations give them), so every mistake found later can be pointed at. Only what a policy file
 * needs: mappings with string keys, sequences, scalars.
 */
final class YamlTree {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private YamlTree() {
    }

    /** Where a node starts; {@code end} (scalars only) is just past its last character. */
    record At(int line, int column) {
    }

    sealed interface Node {
        At at();

        /** What the node is, for messages ("a list", "a mapping", "text"). */
        String shape();
    }

    /** A scalar as written: {@code text} is null for an empty value or {@code null}. */
    record Scalar(String text, At at, At end) implements Node {
        @Override
        public String shape() {
            return text == null ? "an empty value" : "a single value";
        }
    }

    record Sequence(List<Node> items, At at) implements Node {
        @Override
        public String shape() {
            return "a list";
        }
    }

    /** A mapping, keys in the file's order, each with where the key is written. */
    record Mapping(Map<String, Entry> entries, At at) implements Node {
        @Override
        public String shape() {
            return "a mapping";
        }
    }

    record Entry(String key, At keyAt, Node value) {
    }

    /** A syntax mistake, with where Jackson (SnakeYAML) found it. */
    static final class SyntaxError extends Exception {
        final At at;

        SyntaxError(At at, String message) {
            super(message);
            this.at = at;
        }
    }

    /** The one document of {@code text}; null when the text holds none (empty, or only comments). */
    static Node read(String text) throws SyntaxError {
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            Node root = node(p);
            if (p.nextToken() != null) {
                throw new SyntaxError(at(p.currentTokenLocation()), "a policy file holds one YAML document; this is a second one");
            }
            return root;
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                // SnakeYAML says what it found where, and within what (a block, a quoted text) that began where
                String within = m.getContext() == null || m.getContextMark() == null ? ""
                        : " (" + m.getContext() + " at line " + (m.getContextMark().getLine() + 1) + ", column "
                        + (m.getContextMark().getColumn() + 1) + ")";
                String hint = m.getProblem() != null && m.getProblem().contains("<block") ? "; check the indentation" : "";
                return fail(new At(m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1),
                        m.getProblem() + within + hint);
            }
            JsonLocation l = e.getLocation();
            return fail(l == null ? new At(1, 1) : at(l), e.getOriginalMessage());
        } catch (IOException e) {
            return fail(new At(1, 1), e.getMessage());
        }
    }

    private static Node fail(At at, String message) throws SyntaxError {
        throw new SyntaxError(at, "not valid YAML: " + firstLine(message));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    /** The node whose first token the parser is on. */
    private static Node node(JsonParser p) throws IOException, SyntaxError {
        At at = at(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                At keyAt = at(p.currentTokenLocation());
                if (entries.containsKey(key)) {
                    throw new SyntaxError(keyAt, "\"" + key + "\" appears twice in the same mapping (first at line "
                            + entries.get(key).keyAt().line() + ")");
                }
                p.nextToken();
                entries.put(key, new Entry(key, keyAt, node(p)));
            }
            return new Mapping(entries, at);
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(node(p));
            }
            return new Sequence(items, at);
        }
        String text = t == JsonToken.VALUE_NULL ? null : p.getText();
        return new Scalar(text, at, at(p.currentLocation()));
    }

    private static At at(JsonLocation l) {
        return new At(Math.max(l.getLineNr(), 1), Math.max(l.getColumnNr(), 1));
    }
}
