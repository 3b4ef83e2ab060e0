package dev.veil.classification;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;

import java.util.regex.Pattern;

/**
 * A phone number valid in its region's numbering plan (libphonenumber). Numbers without a country code are read
 * as North American. A bare run of digits counts only with a leading '+': ids and amounts are digits too.
 */
final class PhoneDetector implements ValueDetector {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final Pattern SHAPE = Pattern.compile("\\+?[0-9 ().\\-/]{7,24}");
    private static final Pattern PLAIN_DIGITS = Pattern.compile("[0-9]+");

    @Override
    public Tag tag() {
        return Tag.PHONE;
    }

    @Override
    public String describes() {
        return "valid phone numbers";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        if (!SHAPE.matcher(v).matches() || PLAIN_DIGITS.matcher(v).matches()) {
            return false;
        }
        try {
            Phonenumber.PhoneNumber number = PHONES.parse(v, "US");
            return PHONES.isValidNumber(number);
        } catch (NumberParseException e) {
            return false;
        }
    }
}
