package dev.veil.classification;

import org.apache.commons.validator.routines.IBANValidator;

import java.util.Locale;

/** An IBAN: a country's length and format and the mod-97 check (commons-validator); spaces between groups allowed. */
final class IbanDetector implements ValueDetector {
    @Override
    public Tag tag() {
        return Tag.IBAN;
    }

    @Override
    public String describes() {
        return "IBANs with a valid mod-97 check";
    }

    @Override
    public boolean matches(String value) {
        if (value.length() > 48) {
            return false;
        }
        String compact = value.replace(" ", "").toUpperCase(Locale.ROOT);
        return IBANValidator.getInstance().isValid(compact);
    }
}
