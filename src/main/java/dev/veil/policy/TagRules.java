package dev.veil.policy;

import dev.veil.classification.ColumnClassification;
import dev.veil.classification.Tag;
import dev.veil.classification.TagEvidence;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The policy file's {@code tags} section: per column or column pattern, tags added, removed, or set outright
 * (in place of what the classifier found), applied in the order of the file on top of the classifier's tags.
 * The effective tags are what conditions see in {@code statement.columns[].tags}. Pure.
 */
public final class TagRules {
    public static final TagRules NONE = new TagRules(List.of());

    /**
     * One entry: {@code pattern} matches schema.relation.column, each part a name where {@code *} stands for any
     * run of characters; {@code set} (when not null) replaces the tags, then {@code add} and {@code remove} apply.
     */
    record Entry(String column, Pattern pattern, Set<Tag> set, Set<Tag> add, Set<Tag> remove, String where) {
    }

    private final List<Entry> entries;

    TagRules(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The tags of a base column once the file's entries have applied to the classifier's. */
    public ColumnClassification apply(String schema, String relation, String column, ColumnClassification classified) {
        if (entries.isEmpty()) {
            return classified;
        }
        String qualified = (schema == null || schema.isEmpty() ? "" : schema) + "." + relation + "." + column;
        List<TagEvidence> tags = new ArrayList<>(classified.tags());
        for (Entry e : entries) {
            if (!e.pattern().matcher(qualified).matches()) {
                continue;
            }
            if (e.set() != null) {
                tags.removeIf(t -> !e.set().contains(t.tag()));
                added(tags, e.set(), e);
            }
            added(tags, e.add(), e);
            tags.removeIf(t -> e.remove().contains(t.tag()));
        }
        return new ColumnClassification(tags);
    }

    private static void added(List<TagEvidence> tags, Set<Tag> add, Entry e) {
        for (Tag t : add) {
            tags.removeIf(x -> x.tag() == t);
            tags.add(new TagEvidence(t, 1.0, List.of("policy: " + e.where())));
        }
    }

    /** {@code public.customers.*} as a regular expression: '*' is any run of characters within a part, the rest literal. */
    static Pattern pattern(String column) {
        List<String> pieces = new ArrayList<>();
        for (String piece : column.split("\\*", -1)) {
            pieces.add(piece.isEmpty() ? "" : Pattern.quote(piece));
        }
        return Pattern.compile(String.join("[^.]*", pieces));
    }

    static Set<Tag> none() {
        return EnumSet.noneOf(Tag.class);
    }
}
