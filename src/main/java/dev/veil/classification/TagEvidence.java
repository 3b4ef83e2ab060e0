package dev.veil.classification;

import java.util.List;

/**
 * One tag of a column, how sure the classifier is (0 to 1) and why: each evidence line says where it comes from
 * ({@code name: …}, {@code comment: …}, {@code type: …}, {@code values: …}, {@code policy: …}).
 */
public record TagEvidence(Tag tag, double confidence, List<String> evidence) {
    public TagEvidence {
        evidence = List.copyOf(evidence);
        if (confidence < 0 || confidence > 1) {
            throw new IllegalArgumentException("confidence " + confidence + " is not between 0 and 1");
        }
    }
}
