package dev.veil.classification;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tags one column from what the catalog says of it and, when the table was sampled, from its values. Pure: no
 * I/O; the sampling happens on the control plane (upstream.catalog).
 *
 * <p>Each piece of evidence has a confidence: the name {@value #NAME}, the comment {@value #COMMENT}, the type
 * {@value #TYPE} (inet, cidr), and the sampled values from 0.5 (at the threshold) to 0.9 (every value matched). A
 * tag's confidence combines its pieces as independent ones (1 − Π(1 − c)), so a name confirmed by the values
 * counts more than the name alone. Values count only when at least {@value #MIN_MATCHES} of them match and they
 * make at least {@link #MIN_SHARE} of the non-null values sampled: a stray e-mail address in a notes column does
 * not make it an e-mail column. A hint is dropped when the column's type cannot hold that kind of value
 * ({@code email_verified boolean}).
 */
public final class ColumnClassifier {
    public static final double MIN_SHARE = 0.6;
    public static final int MIN_MATCHES = 3;
    static final double NAME = 0.6;
    static final double COMMENT = 0.5;
    static final double TYPE = 0.7;
    private static final int COMMENT_SHOWN = 80;

    private static final List<ValueDetector> DETECTORS = List.of(new EmailDetector(), new PhoneDetector(),
            new CardNumberDetector(), new IbanDetector(), new NationalIdDetector(), new IpAddressDetector(),
            new SecretDetector(), new StreetAddressDetector(), new FreeTextDetector());
    private static final Map<Tag, Set<TypeFamily>> HOLDS = holds();

    private ColumnClassifier() {
    }

    /** Without sampled values (not sampled yet, or not sampled at all). */
    public static ColumnClassification classify(ColumnFacts column) {
        return classify(column, List.of());
    }

    /** {@code sample}: the column's non-null values as text, as read (empty when not sampled). */
    public static ColumnClassification classify(ColumnFacts column, List<String> sample) {
        TypeFamily family = TypeFamily.of(column.type());
        Map<Tag, List<Double>> confidences = new EnumMap<>(Tag.class);
        Map<Tag, List<String>> lines = new EnumMap<>(Tag.class);
        NameHints.of(column.name(), true).forEach((tag, synonym) -> {
            if (holds(tag, family)) {
                add(confidences, lines, tag, NAME, "name: " + column.name()
                        + (synonym.equalsIgnoreCase(column.name()) ? "" : " (" + synonym.replace('_', ' ') + ")"));
            }
        });
        if (!column.comment().isBlank()) {
            String shown = column.comment().length() > COMMENT_SHOWN
                    ? column.comment().substring(0, COMMENT_SHOWN) + "…" : column.comment();
            NameHints.of(column.comment(), false).forEach((tag, synonym) -> {
                if (holds(tag, family)) {
                    add(confidences, lines, tag, COMMENT, "comment: \"" + shown + "\"");
                }
            });
        }
        if (family == TypeFamily.NETWORK) {
            add(confidences, lines, Tag.IP_ADDRESS, TYPE, "type: " + column.type());
        }
        if (!sample.isEmpty()) {
            for (ValueDetector d : DETECTORS) {
                if (!holds(d.tag(), family)) {
                    continue;
                }
                int hits = 0;
                for (String v : sample) {
                    if (d.matches(v)) {
                        hits++;
                    }
                }
                double share = (double) hits / sample.size();
                if (hits >= MIN_MATCHES && share >= MIN_SHARE) {
                    add(confidences, lines, d.tag(), 0.5 + 0.4 * (share - MIN_SHARE) / (1 - MIN_SHARE),
                            "values: " + hits + " of " + sample.size() + " sampled values are " + d.describes());
                }
            }
        }
        List<TagEvidence> tags = new ArrayList<>();
        confidences.forEach((tag, cs) -> tags.add(new TagEvidence(tag, combined(cs), lines.get(tag))));
        return tags.isEmpty() ? ColumnClassification.NONE : new ColumnClassification(tags);
    }

    private static void add(Map<Tag, List<Double>> confidences, Map<Tag, List<String>> lines, Tag tag, double c, String line) {
        confidences.computeIfAbsent(tag, k -> new ArrayList<>()).add(c);
        lines.computeIfAbsent(tag, k -> new ArrayList<>()).add(line);
    }

    private static double combined(List<Double> confidences) {
        double doubt = 1;
        for (double c : confidences) {
            doubt *= 1 - c;
        }
        return Math.min(0.99, Math.round((1 - doubt) * 100) / 100.0);
    }

    static boolean holds(Tag tag, TypeFamily family) {
        return family == TypeFamily.OTHER || HOLDS.get(tag).contains(family);
    }

    private static Map<Tag, Set<TypeFamily>> holds() {
        Set<TypeFamily> text = EnumSet.of(TypeFamily.TEXT);
        Set<TypeFamily> textOrNumber = EnumSet.of(TypeFamily.TEXT, TypeFamily.NUMBER);
        Map<Tag, Set<TypeFamily>> m = new EnumMap<>(Tag.class);
        m.put(Tag.EMAIL, text);
        m.put(Tag.PHONE, textOrNumber);
        m.put(Tag.PERSON_NAME, text);
        m.put(Tag.ADDRESS, text);
        m.put(Tag.DATE_OF_BIRTH, EnumSet.of(TypeFamily.TEXT, TypeFamily.TEMPORAL, TypeFamily.NUMBER));
        m.put(Tag.NATIONAL_ID, textOrNumber);
        m.put(Tag.CREDIT_CARD, textOrNumber);
        m.put(Tag.IBAN, text);
        m.put(Tag.BANK_ACCOUNT, textOrNumber);
        m.put(Tag.IP_ADDRESS, EnumSet.of(TypeFamily.TEXT, TypeFamily.NETWORK, TypeFamily.NUMBER, TypeFamily.BINARY));
        m.put(Tag.SECRET, EnumSet.of(TypeFamily.TEXT, TypeFamily.BINARY));
        m.put(Tag.FREE_TEXT, text);
        return m;
    }
}
