package dev.veil.masking;

import java.util.Locale;

/**
 * One mask function with its parameters, as a policy's {@code masker} names it: {@code redact},
 * {@code partial} or {@code partial(N)}, {@code email}, {@code pseudonym}, {@code hash}, {@code nullify},
 * {@code date-to-year}, {@code fixed(value)}. What each keeps, per column type, is in docs/masking.md.
 */
public sealed interface Masker {
    /** The value replaced by a neutral one of the same type; text keeps only its length class. */
    record Redact() implements Masker {
    }

    /** Only the last {@code keep} characters (or digits) stay; a value no longer than that is masked whole. */
    record Partial(int keep) implements Masker {
        public static final int DEFAULT_KEEP = 4;

        public Partial {
            if (keep < 0) {
                throw new IllegalArgumentException("partial keeps a number of characters of 0 or more, not " + keep);
            }
        }
    }

    /** The local part of an e-mail address masked, its domain kept. */
    record Email() implements Masker {
    }

    /** A keyed, deterministic stand-in of the same type and shape: equal values stay equal. */
    record Pseudonym() implements Masker {
    }

    /** The hex of a keyed digest, cut to the column's length. */
    record Hash() implements Masker {
    }

    /** SQL NULL. */
    record Nullify() implements Masker {
    }

    /** A date or timestamp set to January 1 (midnight) of its year. */
    record DateToYear() implements Masker {
    }

    /** Always {@code value}, read as the column's type (a value that is not one of that type gives NULL). */
    record Fixed(String value) implements Masker {
        public Fixed {
            if (value == null) {
                throw new IllegalArgumentException("fixed needs a value: fixed(n/a)");
            }
        }
    }

    /**
     * The masker a policy names; an unknown name or a bad parameter throws IllegalArgumentException with a
     * message listing what is accepted.
     */
    static Masker parse(String spec) {
        String s = spec.strip();
        int open = s.indexOf('(');
        String name = (open < 0 ? s : s.substring(0, open)).strip().toLowerCase(Locale.ROOT);
        String arg = null;
        if (open >= 0) {
            if (!s.endsWith(")")) {
                throw new IllegalArgumentException("masker '" + spec + "': a parameter ends with ')'");
            }
            arg = s.substring(open + 1, s.length() - 1);
        }
        Masker masker = switch (name) {
            case "redact" -> new Redact();
            case "partial" -> new Partial(arg == null ? Partial.DEFAULT_KEEP : keep(spec, arg));
            case "email" -> new Email();
            case "pseudonym" -> new Pseudonym();
            case "hash" -> new Hash();
            case "nullify" -> new Nullify();
            case "date-to-year" -> new DateToYear();
            case "fixed" -> new Fixed(arg == null ? fixedWithoutValue(spec) : arg);
            default -> throw new IllegalArgumentException("unknown masker '" + spec + "'; use " + NAMES);
        };
        if (arg != null && !(masker instanceof Partial) && !(masker instanceof Fixed)) {
            throw new IllegalArgumentException("masker '" + name + "' takes no parameter; only partial(N) and "
                    + "fixed(value) do");
        }
        return masker;
    }

    /** The accepted masker names, for messages. */
    String NAMES = "redact, partial(N), email, pseudonym, hash, nullify, date-to-year or fixed(value)";

    private static int keep(String spec, String arg) {
        try {
            int keep = Integer.parseInt(arg.strip());
            if (keep >= 0) {
                return keep;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("masker '" + spec + "': partial(N) keeps N characters, N a whole "
                + "number of 0 or more");
    }

    private static String fixedWithoutValue(String spec) {
        throw new IllegalArgumentException("masker '" + spec + "': fixed needs its value: fixed(n/a)");
    }
}
