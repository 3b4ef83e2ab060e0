package dev.veil.policy;

import dev.veil.analysis.Dialect;
import dev.veil.error.ErrorCode;
import dev.veil.policy.YamlTree.Entry;
import dev.veil.policy.YamlTree.Mapping;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The policy file's {@code replication} section: which roles may open PostgreSQL replication connections
 * ({@code replication=database} for logical decoding, {@code replication=true} for the WAL) and run the replication
 * protocol's commands on them. A replication stream carries whole tables or the write-ahead log: no masking, row
 * filter or guardrail can apply to it, so it is a grant of its own, never implied by a rule that allows statements.
 * Without the section (or without a policy file) nobody may.
 *
 * <pre>
 * replication:
 *   roles: [admin]
 * </pre>
 *
 * <p>The commands are those of the streaming replication protocol (PostgreSQL's "Streaming Replication Protocol"
 * chapter), recognised by their first word: on a connection that is not a replication connection the server
 * refuses them as syntax errors, so deciding them by name alone gives nothing away.
 */
public record ReplicationSection(Set<String> roles) {
    static final String RULE = "policy.replication";
    public static final ReplicationSection NONE = new ReplicationSection(Set.of());

    private static final Set<String> COMMANDS = Set.of("IDENTIFY_SYSTEM", "START_REPLICATION", "CREATE_REPLICATION_SLOT",
            "DROP_REPLICATION_SLOT", "ALTER_REPLICATION_SLOT", "READ_REPLICATION_SLOT", "TIMELINE_HISTORY", "BASE_BACKUP",
            "UPLOAD_MANIFEST");

    public ReplicationSection {
        roles = Set.copyOf(roles);
    }

    static ReplicationSection read(PolicyParser p, Entry entry, Collection<String> declaredRoles) {
        if (entry == null) {
            return NONE;
        }
        Mapping m = p.mapping(entry.value(), "replication");
        if (m == null) {
            return NONE;
        }
        p.keys(m, Set.of("roles"), "replication");
        List<String> roles = p.names(m, "roles", "replication");
        for (String r : roles) {
            if (!declaredRoles.contains(r)) {
                p.mistake(m.entries().get("roles").value().at(), "replication: roles: \"" + r
                        + "\" is not a role of this file; declare it under roles or correct the name");
            }
        }
        return new ReplicationSection(Set.copyOf(roles));
    }

    /** Whether one of {@code held} may open a replication connection. */
    public boolean allows(List<String> held) {
        for (String r : held) {
            if (roles.contains(r)) {
                return true;
            }
        }
        return false;
    }

    /** The refusal of a replication connection or command to an identity holding {@code held}. */
    public String refusal(List<String> held) {
        return "replication connections stream whole tables or the write-ahead log, past masking and guardrails, and"
                + " the policy's replication section " + (roles.isEmpty() ? "allows them to no role"
                : "allows them to roles " + String.join(", ", roles.stream().sorted().toList()))
                + "; you hold " + (held.isEmpty() ? "none" : String.join(", ", held))
                + ". Ask an administrator for one of those roles, or connect without replication (rule " + RULE + ")";
    }

    /** The decision on a replication protocol command, or null when {@code facts} is not one. */
    Decision decide(StatementFacts facts, List<String> held) {
        if (facts.dialect() != Dialect.POSTGRESQL || !isCommand(facts.sql())) {
            return null;
        }
        return allows(held) ? new Decision.Allow(RULE)
                : new Decision.Deny(RULE, ErrorCode.POLICY_DENIED, refusal(held), null, List.of());
    }

    /** Whether {@code sql} starts with a replication protocol command (after blanks; they take no comments). */
    static boolean isCommand(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < n && (Character.isLetter(sql.charAt(i)) || sql.charAt(i) == '_')) {
            i++;
        }
        return i - start >= 11 && COMMANDS.contains(sql.substring(start, i).toUpperCase(Locale.ROOT));
    }
}
