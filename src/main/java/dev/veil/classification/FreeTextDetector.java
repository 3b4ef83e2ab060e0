package dev.veil.classification;

/**
 * Prose: eight words or more. Whatever people type into such a column (notes, messages, comments) may name or
 * reach someone, so it is flagged as free text rather than scanned for each kind.
 */
final class FreeTextDetector implements ValueDetector {
    private static final int WORDS = 8;

    @Override
    public Tag tag() {
        return Tag.FREE_TEXT;
    }

    @Override
    public String describes() {
        return "texts of " + WORDS + " words or more";
    }

    @Override
    public boolean matches(String value) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < value.length(); i++) {
            boolean letter = Character.isLetter(value.charAt(i));
            if (letter && !inWord) {
                words++;
                if (words >= WORDS) {
                    return true;
                }
            }
            inWord = letter || inWord && !Character.isWhitespace(value.charAt(i));
        }
        return false;
    }
}
