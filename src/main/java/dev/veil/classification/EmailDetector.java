package dev.veil.classification;

import org.apache.commons.validator.routines.EmailValidator;

/** An e-mail address as commons-validator checks it: local part and a domain with a known top-level domain. */
final class EmailDetector implements ValueDetector {
    private static final EmailValidator EMAILS = EmailValidator.getInstance(false, false);

    @Override
    public Tag tag() {
        return Tag.EMAIL;
    }

    @Override
    public String describes() {
        return "valid e-mail addresses";
    }

    @Override
    public boolean matches(String value) {
        return value.length() <= 320 && value.indexOf('@') > 0 && EMAILS.isValid(value.strip());
    }
}
