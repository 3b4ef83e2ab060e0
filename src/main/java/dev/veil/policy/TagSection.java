package dev.veil.policy;

import dev.veil.classification.Tag;
import dev.veil.policy.YamlTree.Entry;
import dev.veil.policy.YamlTree.Mapping;
import dev.veil.policy.YamlTree.Node;
import dev.veil.policy.YamlTree.Sequence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the {@code tags} section of a policy file: a list of entries, each naming a {@code column}
 * (schema.relation.column, {@code *} for any run of characters within a part) and the tags to {@code add},
 * {@code remove}, or {@code set} in place of the classifier's. Mistakes carry line and column like the rest of
 * the file.
 */
final class TagSection {
    private static final Set<String> KEYS = Set.of("column", "add", "remove", "set");

    private TagSection() {
    }

    static TagRules read(PolicyParser parser, String source, Entry entry) {
        if (entry == null) {
            return TagRules.NONE;
        }
        if (!(entry.value() instanceof Sequence s)) {
            parser.mistake(entry.value().at(), "tags: expected a list of entries (- column: schema.relation.column, "
                    + "with add, remove or set), found " + entry.value().shape());
            return TagRules.NONE;
        }
        List<TagRules.Entry> entries = new ArrayList<>();
        int index = 0;
        for (Node item : s.items()) {
            index++;
            String where = "tags entry " + index;
            Mapping m = parser.mapping(item, where);
            if (m == null) {
                continue;
            }
            parser.keys(m, KEYS, where);
            Entry c = m.entries().get("column");
            String column = null;
            if (c == null) {
                parser.mistake(m.at(), where + ": column is missing: the column or pattern the entry is about, "
                        + "as schema.relation.column (a MySQL schema is its database), '*' for any run of characters");
            } else {
                column = parser.text(c.value(), where + ": column");
                if (column != null && column.split("\\.", -1).length != 3) {
                    parser.mistake(c.value().at(), where + ": column \"" + column + "\" is not schema.relation.column; "
                            + "write each of the three parts, '*' for any (\"*.*.legacy_email\")");
                    column = null;
                }
            }
            Set<Tag> set = m.entries().containsKey("set") ? tags(parser, m.entries().get("set"), where) : null;
            Set<Tag> add = m.entries().containsKey("add") ? tags(parser, m.entries().get("add"), where) : TagRules.none();
            Set<Tag> remove = m.entries().containsKey("remove") ? tags(parser, m.entries().get("remove"), where) : TagRules.none();
            if (set == null && !m.entries().containsKey("add") && !m.entries().containsKey("remove")) {
                parser.mistake(m.at(), where + ": says nothing to do; give add, remove or set a list of tags");
                continue;
            }
            if (set != null && (m.entries().containsKey("add") || m.entries().containsKey("remove"))) {
                parser.mistake(m.entries().get("set").keyAt(), where + ": set replaces the column's tags; "
                        + "use it alone, or add and remove without it");
                continue;
            }
            if (column != null) {
                entries.add(new TagRules.Entry(column, TagRules.pattern(column), set, add, remove,
                        source + ":" + m.at().line()));
            }
        }
        return new TagRules(entries);
    }

    private static Set<Tag> tags(PolicyParser parser, Entry e, String where) {
        Set<Tag> out = EnumSet.noneOf(Tag.class);
        String what = where + ": " + e.key();
        List<Node> items = e.value() instanceof Sequence s ? s.items() : List.of(e.value());
        for (Node n : items) {
            String label = parser.text(n, what);
            if (label == null) {
                continue;
            }
            Tag.of(label).ifPresentOrElse(out::add, () -> parser.mistake(n.at(), what + ": \"" + label
                    + "\" is not a tag; Veil has " + labels()));
        }
        return out;
    }

    static String labels() {
        return Arrays.stream(Tag.values()).map(Tag::label).collect(Collectors.joining(", "));
    }
}
