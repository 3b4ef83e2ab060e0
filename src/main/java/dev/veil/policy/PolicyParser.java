package dev.veil.policy;

import dev.veil.policy.YamlTree.At;
import dev.veil.policy.YamlTree.Entry;
import dev.veil.policy.YamlTree.Mapping;
import dev.veil.policy.YamlTree.Node;
import dev.veil.policy.YamlTree.Scalar;
import dev.veil.policy.YamlTree.Sequence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a policy file (YAML, see docs/policy.md) into a {@link PolicySet}: every key checked, every condition
 * compiled and type-checked, every mistake reported with the line and column where it is written (for a
 * condition, where inside it CEL found the mistake). Pure: the caller reads the file.
 */
public final class PolicyParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Set<String> TOP = Set.of("environment", "roles", "guardrails", "tags", "masking", "rules",
            "default", "replication", "access");
    private static final Set<String> ROLE_KEYS = Set.of("groups", "claims", "local-accounts", "service-accounts",
            "configured-roles");
    private static final Set<String> RULE_KEYS = Set.of("name", "when", "outcome", "reason", "mask",
            "unknown-lineage", "mode", "approvers", "timeout");
    private static final Set<String> OUTCOME_KEYS = Set.of("outcome", "reason", "mask", "unknown-lineage", "approvers",
            "timeout");

    private final String source;
    private final SourceText text;
    private final List<PolicyProblem.Mistake> mistakes = new ArrayList<>();

    private PolicyParser(String source, String text) {
        this.source = source;
        this.text = new SourceText(text);
    }

    /**
     * @param source      the file's name, for messages and the audit trail
     * @param environment the environment this Veil serves (veil.environment): a file naming another is refused
     * @throws PolicyProblem listing every mistake found
     */
    public static PolicySet parse(String text, String source, String environment) throws PolicyProblem {
        return new PolicyParser(source, text).read(text, environment);
    }

    /** The version a text gets: the first 16 hex digits of the SHA-256 of its UTF-8 bytes. */
    public static String version(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private PolicySet read(String content, String environmentName) throws PolicyProblem {
        Node root;
        try {
            root = YamlTree.read(content);
        } catch (YamlTree.SyntaxError e) {
            throw new PolicyProblem(source, List.of(new PolicyProblem.Mistake(e.at.line(), e.at.column(), e.getMessage())));
        }
        if (root == null) {
            throw new PolicyProblem(source, List.of(new PolicyProblem.Mistake(1, 1,
                    "the file is empty: a policy file declares at least its rules (see docs/policy.md)")));
        }
        Mapping top = mapping(root, "the policy file");
        if (top == null) {
            throw problem();
        }
        keys(top, TOP, "the policy file");
        Environment environment = environment(top.entries().get("environment"), environmentName);
        List<RoleBinding> roles = roles(top.entries().get("roles"));
        List<PolicyRule> rules = rules(top.entries().get("rules"));
        List<ConfiguredGuardrail> guardrails = GuardrailSection.read(this, top.entries().get("guardrails"),
                roles.stream().map(RoleBinding::role).toList());
        TagRules tags = TagSection.read(this, source, top.entries().get("tags"));
        int probingBudget = MaskSection.probingBudget(this, top.entries().get("masking"));
        ReplicationSection replication = ReplicationSection.read(this, top.entries().get("replication"),
                roles.stream().map(RoleBinding::role).toList());
        AccessSection access = AccessSection.read(this, top.entries().get("access"),
                roles.stream().map(RoleBinding::role).toList());
        Outcome known = new Outcome.Allow(List.of());
        Outcome unknown = null;
        Entry defaults = top.entries().get("default");
        if (defaults != null) {
            Mapping d = mapping(defaults.value(), "default");
            if (d != null) {
                keys(d, Set.of("known-identity", "unknown-identity"), "default");
                Entry k = d.entries().get("known-identity");
                if (k != null) {
                    known = outcome(k.value(), "default.known-identity", false);
                }
                Entry u = d.entries().get("unknown-identity");
                if (u != null) {
                    unknown = outcome(u.value(), "default.unknown-identity", false);
                }
            }
        }
        if (!mistakes.isEmpty()) {
            throw problem();
        }
        return new PolicySet(source, version(content), environment, roles, guardrails, rules, known, unknown, tags,
                probingBudget, replication, access);
    }

    private PolicyProblem problem() {
        mistakes.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line()) : Integer.compare(a.column(), b.column()));
        return new PolicyProblem(source, mistakes);
    }

    private Environment environment(Entry entry, String configured) {
        if (entry == null) {
            return new Environment(configured, Environment.Protection.HIGH);
        }
        Mapping m = mapping(entry.value(), "environment");
        if (m == null) {
            return new Environment(configured, Environment.Protection.HIGH);
        }
        keys(m, Set.of("name", "protection"), "environment");
        Entry name = m.entries().get("name");
        if (name != null) {
            String n = text(name.value(), "environment.name");
            if (n != null && !n.equals(configured)) {
                mistake(name.value().at(), "environment.name: this file is for environment \"" + n + "\", and this Veil serves \""
                        + configured + "\" (veil.environment): load the file meant for " + configured
                        + ", or correct the name");
            }
        }
        Environment.Protection protection = Environment.Protection.HIGH;
        Entry p = m.entries().get("protection");
        if (p != null) {
            String level = text(p.value(), "environment.protection");
            if (level != null) {
                try {
                    protection = Environment.Protection.valueOf(level.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    mistake(p.value().at(), "environment.protection: \"" + level + "\" is not a protection level; use low, medium or high");
                }
            }
        }
        return new Environment(configured, protection);
    }

    private List<RoleBinding> roles(Entry entry) {
        List<RoleBinding> roles = new ArrayList<>();
        if (entry == null) {
            return roles;
        }
        Mapping m = mapping(entry.value(), "roles");
        if (m == null) {
            return roles;
        }
        for (Entry role : m.entries().values()) {
            String where = "role " + role.key();
            if (!NAME.matcher(role.key()).matches()) {
                mistake(role.keyAt(), where + ": a role name is letters, digits, '.', '_' and '-', starting with a letter or digit");
            }
            Mapping b = mapping(role.value(), where);
            if (b == null) {
                continue;
            }
            keys(b, ROLE_KEYS, where);
            RoleBinding binding = new RoleBinding(role.key(), names(b, "groups", where), claims(b, where),
                    names(b, "local-accounts", where), names(b, "service-accounts", where), names(b, "configured-roles", where));
            if (binding.isEmpty()) {
                mistake(role.keyAt(), where + ": binds nobody; give it groups, claims, local-accounts, service-accounts "
                        + "or configured-roles");
            }
            roles.add(binding);
        }
        return roles;
    }

    private Map<String, List<String>> claims(Mapping binding, String where) {
        Map<String, List<String>> claims = new LinkedHashMap<>();
        Entry e = binding.entries().get("claims");
        if (e == null) {
            return claims;
        }
        Mapping m = mapping(e.value(), where + ": claims");
        if (m == null) {
            return claims;
        }
        for (Entry claim : m.entries().values()) {
            String what = where + ": claims." + claim.key();
            if (claim.value() instanceof Sequence s) {
                claims.put(claim.key(), names(s, what));
            } else {
                String v = text(claim.value(), what);
                if (v != null) {
                    claims.put(claim.key(), List.of(v));
                }
            }
        }
        return claims;
    }

    List<String> names(Mapping m, String key, String where) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return List.of();
        }
        if (!(e.value() instanceof Sequence s)) {
            mistake(e.value().at(), where + ": " + key + ": expected a list of names ([a, b]), found " + e.value().shape());
            return List.of();
        }
        return names(s, where + ": " + key);
    }

    private List<String> names(Sequence s, String where) {
        List<String> out = new ArrayList<>();
        for (Node n : s.items()) {
            String v = text(n, where);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private List<PolicyRule> rules(Entry entry) {
        List<PolicyRule> rules = new ArrayList<>();
        if (entry == null) {
            return rules;
        }
        if (!(entry.value() instanceof Sequence s)) {
            mistake(entry.value().at(), "rules: expected a list of rules (each item starting with \"- name:\"), found "
                    + entry.value().shape());
            return rules;
        }
        Map<String, At> seen = new HashMap<>();
        int index = 0;
        for (Node item : s.items()) {
            index++;
            Mapping m = mapping(item, "rule " + index);
            if (m == null) {
                continue;
            }
            String name = ruleName(m, index, seen);
            String where = name == null ? "rule " + index : "rule " + name;
            keys(m, RULE_KEYS, where);
            Condition when = condition(m, where);
            Outcome outcome = outcome(m, where, true);
            Mode mode = mode(m, where);
            if (name != null && when != null && outcome != null) {
                rules.add(new PolicyRule(name, when, outcome, mode));
            }
        }
        return rules;
    }

    private String ruleName(Mapping m, int index, Map<String, At> seen) {
        Entry e = m.entries().get("name");
        if (e == null) {
            mistake(m.at(), "rule " + index + ": has no name; every rule needs one (it is what refusals and the audit trail show)");
            return null;
        }
        String name = text(e.value(), "rule " + index + ": name");
        if (name == null) {
            return null;
        }
        if (!NAME.matcher(name).matches()) {
            mistake(e.value().at(), "rule " + index + ": name \"" + name + "\": use letters, digits, '.', '_' and '-', "
                    + "starting with a letter or digit");
        } else if (name.startsWith("builtin.") || name.startsWith("default.") || name.startsWith(ConfiguredGuardrail.RULE_PREFIX)
                || name.equals(Decision.NO_POLICY)) {
            mistake(e.value().at(), "rule " + index + ": name \"" + name + "\" is reserved for Veil's own rules; choose another");
        } else if (seen.containsKey(name)) {
            mistake(e.value().at(), "rule " + index + ": name \"" + name + "\" is already the name of the rule at line "
                    + seen.get(name).line() + "; rule names must be unique");
        } else {
            seen.put(name, e.value().at());
        }
        return name;
    }

    Condition condition(Mapping m, String where) {
        Entry e = m.entries().get("when");
        if (e == null) {
            mistake(m.at(), where + ": has no \"when\" (the condition, in CEL; write when: \"true\" for every statement)");
            return null;
        }
        String expression = text(e.value(), where + ": when");
        if (expression == null) {
            return null;
        }
        Scalar scalar = (Scalar) e.value();
        List<ConditionCompiler.Mistake> wrong = new ArrayList<>();
        Condition condition = ConditionCompiler.compile(expression, wrong);
        for (ConditionCompiler.Mistake w : wrong) {
            mistake(w.index() < 0 ? scalar.at() : text.inside(scalar, w.index()), where + ": when: " + w.what());
        }
        return condition;
    }

    Mode mode(Mapping m, String where) {
        Entry e = m.entries().get("mode");
        if (e == null) {
            return Mode.ENFORCE;
        }
        String v = text(e.value(), where + ": mode");
        if ("enforce".equals(v)) {
            return Mode.ENFORCE;
        }
        if ("observe".equals(v)) {
            return Mode.OBSERVE;
        }
        if (v != null) {
            mistake(e.value().at(), where + ": mode: \"" + v + "\" is not a mode; use enforce or observe");
        }
        return Mode.ENFORCE;
    }

    /** The outcome a rule (or a default, {@code rule} false) writes as outcome, reason and mask. */
    private Outcome outcome(Node node, String where, boolean rule) {
        Mapping m = mapping(node, where);
        if (m == null) {
            return null;
        }
        keys(m, OUTCOME_KEYS, where);
        return outcome(m, where, rule);
    }

    private Outcome outcome(Mapping m, String where, boolean rule) {
        Entry e = m.entries().get("outcome");
        if (e == null) {
            mistake(m.at(), where + ": has no outcome; use allow, deny, require-approval or mask");
            return null;
        }
        String kind = text(e.value(), where + ": outcome");
        if (kind == null) {
            return null;
        }
        Entry reason = m.entries().get("reason");
        Entry mask = m.entries().get("mask");
        boolean scanUnknown = MaskSection.scanUnknown(this, m, where, kind.equals("mask"));
        if (!kind.equals("require-approval")) {
            refuseKey(m.entries().get("approvers"), where, "approvers are for outcome require-approval");
            refuseKey(m.entries().get("timeout"), where, "a timeout is for outcome require-approval");
        }
        switch (kind) {
            case "allow":
                refuseKey(reason, where, "a reason is only for deny and require-approval");
                refuseKey(mask, where, "mask is for outcome mask");
                return new Outcome.Allow(List.of());
            case "mask":
                refuseKey(reason, where, "a reason is only for deny and require-approval");
                if (mask == null) {
                    mistake(e.value().at(), where + ": outcome mask needs a mask list: mask: [{tag: pii, masker: redact}]");
                    return null;
                }
                return new Outcome.Allow(MaskSection.directives(this, mask, where), scanUnknown);
            case "deny":
            case "require-approval":
                refuseKey(mask, where, "mask is for outcome mask");
                String r = reason == null ? null : text(reason.value(), where + ": reason");
                if (reason == null && (rule || kind.equals("require-approval"))) {
                    mistake(e.value().at(), where + ": outcome " + kind + " needs a reason: what the rule protects and "
                            + "what to do instead (the client's error message shows it)");
                    return null;
                }
                if (reason == null) {
                    // A default's deny without a reason of its own: the known default says no rule allowed the
                    // statement; the unknown one (null here) names the identity that holds no role.
                    return where.equals("default.known-identity") ? new Outcome.Deny("no rule of this policy allows "
                            + "this statement; ask an administrator for a rule that does") : null;
                }
                if (r == null) {
                    return null;
                }
                if (kind.equals("deny")) {
                    return new Outcome.Deny(r);
                }
                ApprovalDemand demand = ApprovalSection.demand(this, m, where);
                return demand == null ? null : new Outcome.RequireApproval(r, demand);
            default:
                mistake(e.value().at(), where + ": outcome \"" + kind + "\" is not an outcome; use allow, deny, "
                        + "require-approval or mask");
                return null;
        }
    }

    private void refuseKey(Entry e, String where, String why) {
        if (e != null) {
            mistake(e.keyAt(), where + ": " + e.key() + ": " + why);
        }
    }

    /** The node as a mapping, or null after recording that it is not one. */
    Mapping mapping(Node node, String where) {
        if (node instanceof Mapping m) {
            return m;
        }
        mistake(node.at(), where + ": expected a mapping (key: value lines), found " + node.shape());
        return null;
    }

    /** A non-empty single value, or null after recording what is wrong. */
    String text(Node node, String where) {
        if (node instanceof Scalar s && s.text() != null && !s.text().isBlank()) {
            return s.text();
        }
        mistake(node.at(), where + ": expected a single value, found " + (node instanceof Scalar ? "an empty one" : node.shape()));
        return null;
    }

    void keys(Mapping m, Set<String> allowed, String where) {
        for (Entry e : m.entries().values()) {
            if (!allowed.contains(e.key())) {
                mistake(e.keyAt(), where + ": unknown key \"" + e.key() + "\"; expected "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    void mistake(At at, String what) {
        mistakes.add(new PolicyProblem.Mistake(at.line(), at.column(), what));
    }
}
