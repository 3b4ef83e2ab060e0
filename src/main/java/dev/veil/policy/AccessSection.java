package dev.veil.policy;

import dev.veil.policy.YamlTree.Entry;
import dev.veil.policy.YamlTree.Mapping;
import dev.veil.policy.YamlTree.Scalar;
import dev.veil.policy.YamlTree.Sequence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy file's {@code access} section: which policy roles may be asked for just in time (docs/access.md), by
 * holders of which roles, for how long at most, who approves, and whether the role may be taken at once without
 * approval (break-glass).
 *
 * <pre>
 * access:
 *   roles:
 *     admin:
 *       requesters: [engineer]              # who may ask (roles of this file)
 *       approvers: {roles: [admin], count: 1}
 *       max-duration: 1h                    # default 1h, at most 7d
 *       break-glass: true                   # false (default), true (the requesters), or a list of roles
 * </pre>
 *
 * <p>A grant applies to an identity only while the section in force still lets one of the roles it is bound to ask
 * for that role: a changed file takes a grant away from new statements at once (fail closed). Without the section
 * nobody may ask for anything. Pure.
 */
public final class AccessSection {
    public static final AccessSection NONE = new AccessSection(Map.of());
    /** Longer grants are standing access, which belongs in the roles section. */
    public static final Duration LONGEST = Duration.ofDays(7);
    private static final Duration DEFAULT_MAX = Duration.ofHours(1);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})\\s*(s|m|h|d)");
    private static final Set<String> KEYS = Set.of("requesters", "approvers", "max-duration", "break-glass");

    /** One role that may be asked for. {@code breakGlass} lists the roles whose holders may take it at once. */
    public record Requestable(String role, List<String> requesters, List<String> approverRoles, int approversNeeded,
                              Duration maxDuration, List<String> breakGlass) {
        public Requestable {
            requesters = List.copyOf(requesters);
            approverRoles = List.copyOf(approverRoles);
            breakGlass = List.copyOf(breakGlass);
        }
    }

    private final Map<String, Requestable> roles;

    AccessSection(Map<String, Requestable> roles) {
        this.roles = Map.copyOf(roles);
    }

    public boolean isEmpty() {
        return roles.isEmpty();
    }

    public Optional<Requestable> role(String role) {
        return Optional.ofNullable(roles.get(role));
    }

    /** The roles that may be asked for, sorted. */
    public List<String> requestable() {
        return roles.keySet().stream().sorted().toList();
    }

    /**
     * Why an identity bound to {@code held} may not ask for {@code role} for {@code duration} (taken at once when
     * {@code breakGlass}), or null when it may.
     */
    public String refusal(String role, List<String> held, Duration duration, boolean breakGlass) {
        Requestable r = roles.get(role);
        if (r == null) {
            return "role \"" + role + "\" cannot be requested: the policy's access section "
                    + (roles.isEmpty() ? "lists no role" : "lists " + String.join(", ", requestable()));
        }
        if (held.contains(role)) {
            return "you already hold role \"" + role + "\"; nothing to request";
        }
        List<String> allowed = breakGlass ? r.breakGlass() : r.requesters();
        if (allowed.stream().noneMatch(held::contains)) {
            return breakGlass && r.breakGlass().isEmpty()
                    ? "role \"" + role + "\" does not allow break-glass (access.roles." + role + ".break-glass); request it "
                    + "and have it approved instead"
                    : (breakGlass ? "break-glass" : "a request") + " for role \"" + role + "\" is for holders of "
                    + String.join(" or ", allowed) + " (access.roles." + role + "); you hold "
                    + (held.isEmpty() ? "none" : String.join(", ", held));
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(r.maxDuration()) > 0) {
            return "role \"" + role + "\" may be held for at most " + human(r.maxDuration()) + " (access.roles." + role
                    + ".max-duration); ask for " + human(r.maxDuration()) + " or less";
        }
        return null;
    }

    /**
     * Of the roles {@code granted} to an identity bound to {@code held}, those this section still lets it hold: one
     * of its roles may still ask for (or break glass into) each.
     */
    public List<String> applicable(Collection<String> granted, List<String> held) {
        List<String> out = new ArrayList<>();
        for (String g : granted) {
            Requestable r = roles.get(g);
            if (r != null && !out.contains(g) && (r.requesters().stream().anyMatch(held::contains)
                    || r.breakGlass().stream().anyMatch(held::contains))) {
                out.add(g);
            }
        }
        return out;
    }

    /** Whether an identity bound to {@code held} could hold any grant: when not, its grants are not even read. */
    public boolean mayHoldGrants(List<String> held) {
        for (Requestable r : roles.values()) {
            if (r.requesters().stream().anyMatch(held::contains) || r.breakGlass().stream().anyMatch(held::contains)) {
                return true;
            }
        }
        return false;
    }

    /** 90s, 30m, 2h, 1d; null when it is none of those or zero. */
    public static Duration duration(String v) {
        if (v == null) {
            return null;
        }
        Matcher m = DURATION.matcher(v.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        return d.isZero() ? null : d;
    }

    /** 1h, 30m, 90s. */
    public static String human(Duration d) {
        long s = d.toSeconds();
        return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    static AccessSection read(PolicyParser p, Entry entry, Collection<String> declared) {
        if (entry == null) {
            return NONE;
        }
        Mapping top = p.mapping(entry.value(), "access");
        if (top == null) {
            return NONE;
        }
        p.keys(top, Set.of("roles"), "access");
        Entry rolesEntry = top.entries().get("roles");
        if (rolesEntry == null) {
            p.mistake(top.at(), "access: has no roles; list the roles that may be requested: roles: {admin: "
                    + "{requesters: [engineer]}}");
            return NONE;
        }
        Mapping m = p.mapping(rolesEntry.value(), "access.roles");
        if (m == null) {
            return NONE;
        }
        Map<String, Requestable> out = new LinkedHashMap<>();
        for (Entry role : m.entries().values()) {
            String where = "access.roles." + role.key();
            if (!declared.contains(role.key())) {
                p.mistake(role.keyAt(), where + ": \"" + role.key() + "\" is not a role of this file; declare it under "
                        + "roles or correct the name");
            }
            Mapping r = p.mapping(role.value(), where);
            if (r == null) {
                continue;
            }
            p.keys(r, KEYS, where);
            List<String> requesters = declaredRoles(p, r, "requesters", where, declared);
            if (!r.entries().containsKey("requesters")) {
                p.mistake(r.at(), where + ": has no requesters; name the roles whose holders may ask for it: "
                        + "requesters: [engineer]");
            } else if (requesters.isEmpty() && r.entries().get("requesters").value() instanceof Sequence) {
                p.mistake(r.entries().get("requesters").value().at(), where + ": requesters: name at least one role");
            }
            ApprovalDemand demand = ApprovalSection.demand(p, r, where);
            Duration max = maxDuration(p, r, where);
            List<String> breakGlass = breakGlass(p, r, where, requesters, declared);
            if (demand != null && max != null) {
                out.put(role.key(), new Requestable(role.key(), requesters, demand.roles(), demand.count(), max, breakGlass));
            }
        }
        return new AccessSection(out);
    }

    private static List<String> declaredRoles(PolicyParser p, Mapping r, String key, String where, Collection<String> declared) {
        List<String> names = p.names(r, key, where);
        for (String n : names) {
            if (!declared.contains(n)) {
                p.mistake(r.entries().get(key).value().at(), where + ": " + key + ": \"" + n
                        + "\" is not a role of this file; declare it under roles or correct the name");
            }
        }
        return names;
    }

    private static Duration maxDuration(PolicyParser p, Mapping r, String where) {
        Entry e = r.entries().get("max-duration");
        if (e == null) {
            return DEFAULT_MAX;
        }
        String v = p.text(e.value(), where + ": max-duration");
        if (v == null) {
            return null;
        }
        Duration d = duration(v);
        if (d == null || d.compareTo(LONGEST) > 0) {
            p.mistake(e.value().at(), where + ": max-duration: \"" + v + "\" is not a duration from 1s to 7d; write "
                    + "seconds, minutes, hours or days such as 30m, 4h or 1d");
            return null;
        }
        return d;
    }

    private static List<String> breakGlass(PolicyParser p, Mapping r, String where, List<String> requesters,
                                           Collection<String> declared) {
        Entry e = r.entries().get("break-glass");
        if (e == null) {
            return List.of();
        }
        if (e.value() instanceof Sequence) {
            return List.copyOf(new LinkedHashSet<>(declaredRoles(p, r, "break-glass", where, declared)));
        }
        String v = e.value() instanceof Scalar s ? s.text() : null;
        if ("true".equals(v)) {
            return requesters;
        }
        if ("false".equals(v)) {
            return List.of();
        }
        p.mistake(e.value().at(), where + ": break-glass: expected true (the requesters may take the role at once), "
                + "false, or a list of roles, found " + (v == null ? e.value().shape() : "\"" + v + "\""));
        return List.of();
    }
}
