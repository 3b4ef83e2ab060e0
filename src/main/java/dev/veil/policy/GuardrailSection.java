package dev.veil.policy;

import dev.veil.policy.YamlTree.Entry;
import dev.veil.policy.YamlTree.Mapping;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code guardrails} section of a policy file: built-in guardrails by name, each with optional
 * {@code roles}, {@code when}, {@code mode}, {@code outcome} and, for destructive-ddl, {@code min-protection}.
 * Read with the parser's own checks, so mistakes carry line and column like the rest of the file.
 *
 * <p>Enabling any guardrail also enables {@code unanalysed} (fail closed) for the same roles, unless the file
 * configures it itself; it is tried last, so a statement is named by what it does when Veil can tell.
 */
final class GuardrailSection {
    private static final Set<String> KEYS = Set.of("roles", "when", "mode", "outcome", "min-protection", "max-rows");

    private GuardrailSection() {
    }

    static List<ConfiguredGuardrail> read(PolicyParser parser, Entry entry, List<String> declaredRoles) {
        List<ConfiguredGuardrail> out = new ArrayList<>();
        if (entry == null) {
            return out;
        }
        Mapping section = parser.mapping(entry.value(), "guardrails");
        if (section == null) {
            return out;
        }
        for (Entry e : section.entries().values()) {
            String where = "guardrail " + e.key();
            Guardrail g = Guardrail.named(e.key());
            if (g == null) {
                parser.mistake(e.keyAt(), "guardrails: \"" + e.key() + "\" is not a guardrail; Veil has " + Guardrail.labels());
                continue;
            }
            if (g == Guardrail.AFFECTED_ROWS_CEILING && !(e.value() instanceof Mapping)) {
                parser.mistake(e.value().at(), where + ": needs max-rows, the most rows one UPDATE / DELETE may change "
                        + "({max-rows: 1000})");
                continue;
            }
            if (e.value() instanceof YamlTree.Scalar s && (s.text() == null || s.text().isBlank())) {
                // "delete-without-where:" alone: on for every identity holding a role, with the defaults.
                out.add(new ConfiguredGuardrail(g, Set.of(), null, Mode.ENFORCE, false, Environment.Protection.MEDIUM, 0));
                continue;
            }
            Mapping m = parser.mapping(e.value(), where);
            if (m == null) {
                continue;
            }
            parser.keys(m, KEYS, where);
            List<String> roles = parser.names(m, "roles", where);
            for (String r : roles) {
                if (!declaredRoles.contains(r)) {
                    parser.mistake(m.entries().get("roles").value().at(), where + ": roles: \"" + r
                            + "\" is not a role of this file; declare it under roles or correct the name");
                }
            }
            Condition when = m.entries().containsKey("when") ? parser.condition(m, where) : null;
            Mode mode = parser.mode(m, where);
            boolean approval = false;
            Entry outcome = m.entries().get("outcome");
            if (outcome != null) {
                String o = parser.text(outcome.value(), where + ": outcome");
                if ("require-approval".equals(o)) {
                    approval = true;
                } else if (o != null && !o.equals("deny")) {
                    parser.mistake(outcome.value().at(), where + ": outcome \"" + o + "\": a guardrail refuses (deny) or "
                            + "asks for an approval (require-approval)");
                }
            }
            Environment.Protection minimum = Environment.Protection.MEDIUM;
            Entry p = m.entries().get("min-protection");
            if (p != null) {
                String level = parser.text(p.value(), where + ": min-protection");
                if (g != Guardrail.DESTRUCTIVE_DDL) {
                    parser.mistake(p.keyAt(), where + ": min-protection is an option of destructive-ddl only");
                } else if (level != null) {
                    try {
                        minimum = Environment.Protection.valueOf(level.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException ex) {
                        parser.mistake(p.value().at(), where + ": min-protection: \"" + level
                                + "\" is not a protection level; use low, medium or high");
                    }
                }
            }
            long maxRows = maxRows(parser, g, m, where);
            if (approval && g == Guardrail.AFFECTED_ROWS_CEILING) {
                parser.mistake(outcome.value().at(), where + ": outcome require-approval: the ceiling is checked as the "
                        + "statement runs, when no approval can be asked for; use deny");
            }
            out.add(new ConfiguredGuardrail(g, new HashSet<>(roles), when, mode, approval, minimum, maxRows));
        }
        if (!out.isEmpty() && out.stream().noneMatch(c -> c.guardrail() == Guardrail.UNANALYSED)) {
            Set<String> roles = new HashSet<>();
            boolean everyone = false;
            for (ConfiguredGuardrail c : out) {
                everyone |= c.roles().isEmpty();
                roles.addAll(c.roles());
            }
            Mode mode = out.stream().anyMatch(c -> c.mode() == Mode.ENFORCE) ? Mode.ENFORCE : Mode.OBSERVE;
            out.add(new ConfiguredGuardrail(Guardrail.UNANALYSED, everyone ? Set.of() : roles, null, mode, false,
                    Environment.Protection.MEDIUM, 0));
        }
        return out;
    }

    /** affected-rows-ceiling's max-rows: a whole number of rows, 0 or more; 0 for the other guardrails. */
    private static long maxRows(PolicyParser parser, Guardrail g, Mapping m, String where) {
        Entry e = m.entries().get("max-rows");
        if (g != Guardrail.AFFECTED_ROWS_CEILING) {
            if (e != null) {
                parser.mistake(e.keyAt(), where + ": max-rows is an option of affected-rows-ceiling only");
            }
            return 0;
        }
        if (e == null) {
            parser.mistake(m.at(), where + ": needs max-rows, the most rows one UPDATE / DELETE may change ({max-rows: 1000})");
            return 0;
        }
        String text = parser.text(e.value(), where + ": max-rows");
        if (text == null) {
            return 0;
        }
        try {
            long n = Long.parseLong(text.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        parser.mistake(e.value().at(), where + ": max-rows: \"" + text + "\" is not a number of rows; write a whole "
                + "number, 0 or more (max-rows: 1000)");
        return 0;
    }
}
