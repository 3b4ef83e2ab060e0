package dev.veil.classification;

import java.util.regex.Pattern;

/**
 * A street address line: a house number and a street type word in English, French, German, Spanish or Italian
 * ("12 Main St", "Hauptstraße 5", "3 rue de la Paix"). Places without a house number are not addresses here.
 */
final class StreetAddressDetector implements ValueDetector {
    private static final String TYPES = "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct"
            + "|place|pl|square|sq|terrace|parkway|pkwy|highway|hwy|rue|chemin|allée|strasse|straße|str|weg|platz|gasse"
            + "|calle|avenida|via|viale|piazza|corso";
    private static final Pattern NUMBER_FIRST = Pattern.compile(
            "(?iu)[0-9]{1,6}[a-z]?,? +(?:[\\p{L}.'-]+ +){0,5}(?:" + TYPES + ")\\b.*");
    private static final Pattern TYPE_FIRST = Pattern.compile(
            "(?iu)(?:" + TYPES + ")\\.? +(?:[\\p{L}.'-]+ +){0,5}[0-9]{1,5}[a-z]?\\b.*");
    private static final Pattern GLUED = Pattern.compile("(?iu)[\\p{L}-]+(?:strasse|straße|str\\.|weg|platz|gasse) +[0-9]{1,5}[a-z]?\\b.*");

    @Override
    public Tag tag() {
        return Tag.ADDRESS;
    }

    @Override
    public String describes() {
        return "street addresses";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        return v.length() <= 200 && (NUMBER_FIRST.matcher(v).matches() || TYPE_FIRST.matcher(v).matches()
                || GLUED.matcher(v).matches());
    }
}
