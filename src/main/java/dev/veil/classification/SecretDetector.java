package dev.veil.classification;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Values that are credentials by their format: password hashes (bcrypt, argon2, scrypt, PBKDF2 and sha-crypt in
 * modular crypt format, SCRAM verifiers, MySQL's native hashes), PEM private keys, JSON web tokens, and API keys
 * with a vendor's published prefix.
 */
final class SecretDetector implements ValueDetector {
    private static final List<Pattern> FORMATS = List.of(
            Pattern.compile("\\$2[abxy]?\\$[0-9]{2}\\$[./A-Za-z0-9]{53}"),
            Pattern.compile("\\$(argon2(id|i|d)|scrypt|pbkdf2(-sha(1|256|512))?|[156y]|7)\\$.{8,}"),
            Pattern.compile("(SCRAM-SHA-256|SCRAM-SHA-1)\\$[0-9]+:.+\\$.+:.+"),
            Pattern.compile("md5[0-9a-f]{32}"),
            Pattern.compile("\\*[0-9A-F]{40}"),
            Pattern.compile("-----BEGIN ([A-Z]+ )?PRIVATE KEY-----.*", Pattern.DOTALL),
            Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"),
            Pattern.compile("(sk|rk)_(live|test)_[A-Za-z0-9]{16,}"),
            Pattern.compile("gh[pousr]_[A-Za-z0-9]{36,}"),
            Pattern.compile("(AKIA|ASIA)[0-9A-Z]{16}"),
            Pattern.compile("xox[abprs]-[A-Za-z0-9-]{10,}"),
            Pattern.compile("AIza[0-9A-Za-z_-]{35}"));

    @Override
    public Tag tag() {
        return Tag.SECRET;
    }

    @Override
    public String describes() {
        return "password hashes, private keys, tokens or API keys";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        for (Pattern p : FORMATS) {
            if (p.matcher(v).matches()) {
                return true;
            }
        }
        return false;
    }
}
