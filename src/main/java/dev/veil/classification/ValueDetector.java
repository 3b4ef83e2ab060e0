package dev.veil.classification;

/**
 * Recognises one kind of sensitive value in a sampled value (as text). Detectors check what can be checked
 * (check digits, numbering plans, issuing rules) so that look-alikes count as misses.
 */
interface ValueDetector {
    Tag tag();

    /** What a match is, for evidence lines: "valid e-mail addresses". */
    String describes();

    boolean matches(String value);
}
