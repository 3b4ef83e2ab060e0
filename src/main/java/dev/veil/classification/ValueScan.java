package dev.veil.classification;

import java.util.List;

/**
 * The value-scan backstop of masking: whether one result value is recognisably sensitive by the same checking
 * detectors the classifier samples columns with (Luhn, IBAN mod-97, SSN rules, numbering plans, e-mail syntax,
 * secrets, street addresses). Free text is left out: it matches nearly any prose, so it says nothing of one
 * value. Pure and thread-safe.
 */
public final class ValueScan {
    private static final List<ValueDetector> DETECTORS = List.of(new EmailDetector(), new PhoneDetector(),
            new CardNumberDetector(), new IbanDetector(), new NationalIdDetector(), new IpAddressDetector(),
            new SecretDetector(), new StreetAddressDetector());

    private ValueScan() {
    }

    /** The tag of the first detector that recognises {@code value}, or null when none does. */
    public static Tag recognise(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        for (ValueDetector d : DETECTORS) {
            if (d.matches(v)) {
                return d.tag();
            }
        }
        return null;
    }
}
