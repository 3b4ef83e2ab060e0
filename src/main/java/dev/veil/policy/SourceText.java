package dev.veil.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The policy file's text, to point into: from a line and column to a character and back, and from a place
 * inside a scalar's value (a CEL error's position) to where that character is written in the file, quotes,
 * escapes, folded lines and block indentation included.
 */
final class SourceText {
    private final String text;
    private final int[] lineStarts;

    SourceText(String text) {
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The character at {@code at} (line and column from 1; columns count code points, as SnakeYAML does). */
    int offset(YamlTree.At at) {
        int line = Math.min(Math.max(at.line(), 1), lineStarts.length) - 1;
        int start = lineStarts[line];
        int end = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length();
        int offset = start;
        for (int cp = 1; cp < at.column() && offset < end; cp++) {
            offset += Character.charCount(text.codePointAt(offset));
        }
        return offset;
    }

    YamlTree.At at(int offset) {
        int line = 0;
        while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) {
            line++;
        }
        int column = text.codePointCount(lineStarts[line], Math.min(offset, text.length())) + 1;
        return new YamlTree.At(line + 1, column);
    }

    /**
     * Where character {@code index} of {@code scalar}'s value is written. The value is walked beside the written
     * text: the characters YAML drops (quotes, escape backslashes, indentation of block and continuation lines)
     * are stepped over, and a space folded from a line break matches that line break. The scalar's own start
     * when the walk loses its way.
     */
    YamlTree.At inside(YamlTree.Scalar scalar, int index) {
        String value = scalar.text();
        int start = offset(scalar.at());
        int end = Math.min(offset(scalar.end()), text.length());
        int r = start;
        if (r < end && (text.charAt(r) == '|' || text.charAt(r) == '>')) {
            int nl = text.indexOf('\n', r);
            r = nl < 0 || nl >= end ? end : nl + 1; // block scalar: the value starts on the next line
        } else if (r < end && (text.charAt(r) == '\'' || text.charAt(r) == '"')) {
            r++;
        }
        for (int v = 0; v <= index && v < value.length(); v++) {
            int found = find(value.charAt(v), r, end);
            if (found < 0) {
                return scalar.at();
            }
            if (v == index) {
                return at(found);
            }
            r = found + 1;
        }
        return at(Math.min(r, end));
    }

    /** The next written character that stands for value character {@code c}, from {@code r}; -1 when none does. */
    private int find(char c, int r, int end) {
        for (int i = r; i < end; i++) {
            char w = text.charAt(i);
            if (w == c || (c == ' ' && w == '\n')) {
                return i;
            }
        }
        return -1;
    }
}
