package dev.veil.classification;

import org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit;

import java.util.regex.Pattern;

/**
 * A payment card number: 13 to 19 digits (spaces or dashes between groups allowed) with a valid Luhn check digit
 * and an issuer prefix in use (2–6: Mastercard, Visa, Amex, Discover, JCB, Diners, UnionPay …). One random
 * number in ten passes Luhn, so a column of ids never reaches the share a column needs.
 */
final class CardNumberDetector implements ValueDetector {
    private static final Pattern SHAPE = Pattern.compile("[0-9](?:[ \\-]?[0-9]){12,18}");

    @Override
    public Tag tag() {
        return Tag.CREDIT_CARD;
    }

    @Override
    public String describes() {
        return "card numbers with a valid Luhn check digit";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        if (!SHAPE.matcher(v).matches()) {
            return false;
        }
        String digits = v.replace(" ", "").replace("-", "");
        char issuer = digits.charAt(0);
        return issuer >= '2' && issuer <= '6' && !sameDigit(digits) && LuhnCheckDigit.LUHN_CHECK_DIGIT.isValid(digits);
    }

    private static boolean sameDigit(String digits) {
        return digits.chars().allMatch(c -> c == digits.charAt(0));
    }
}
