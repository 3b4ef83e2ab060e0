package dev.veil.classification;

import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of sensitive data a column can hold. The list follows Presidio's entity catalogue where it names
 * the same thing (EMAIL_ADDRESS, PHONE_NUMBER, PERSON, LOCATION, DATE_TIME of birth, US_SSN and other national
 * ids, CREDIT_CARD, IBAN_CODE, US_BANK_NUMBER, IP_ADDRESS), plus secrets and free text that may contain any of them.
 * Policy files and the catalog API name a tag by its {@link #label()}.
 */
public enum Tag {
    EMAIL, PHONE, PERSON_NAME, ADDRESS, DATE_OF_BIRTH, NATIONAL_ID, CREDIT_CARD, IBAN, BANK_ACCOUNT, IP_ADDRESS,
    SECRET, FREE_TEXT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Tag> of(String label) {
        for (Tag t : values()) {
            if (t.label().equals(label)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
