package dev.veil.classification;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The tags of one column, most confident first; {@link #NONE} when nothing sensitive was found. */
public record ColumnClassification(List<TagEvidence> tags) {
    public static final ColumnClassification NONE = new ColumnClassification(List.of());

    public ColumnClassification {
        tags = tags.stream().sorted(Comparator.comparingDouble(TagEvidence::confidence).reversed()
                .thenComparing(TagEvidence::tag)).toList();
    }

    public Optional<TagEvidence> tag(Tag tag) {
        return tags.stream().filter(t -> t.tag() == tag).findFirst();
    }

    public Set<Tag> tagSet() {
        Set<Tag> out = new TreeSet<>();
        tags.forEach(t -> out.add(t.tag()));
        return out;
    }

    /** The labels, in the order of {@link Tag} (stable for policy conditions and tests). */
    public List<String> labels() {
        return tagSet().stream().map(Tag::label).toList();
    }
}
