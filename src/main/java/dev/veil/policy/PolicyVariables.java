package dev.veil.policy;

import com.google.protobuf.Timestamp;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelVariableResolver;
import dev.veil.analysis.Analysis;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.RelationAccess;
import dev.veil.analysis.lineage.ColumnRef;
import dev.veil.analysis.lineage.ColumnUse;
import dev.veil.analysis.lineage.Lineage;
import dev.veil.analysis.lineage.OutputColumn;
import dev.veil.analysis.lineage.WrittenColumn;
import dev.veil.identity.Identity;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The variables a rule's condition (CEL) can read, declared with their types so that a misspelt name or a
 * comparison of the wrong type is an error when the file is loaded, not when a statement arrives. The names are
 * qualified (identity.subject, statement.kind): CEL resolves them as declared names, so {@code identity} alone
 * is not a variable.
 */
final class PolicyVariables {
    private static final CelType STRINGS = ListType.create(SimpleType.STRING);
    private static final CelType OBJECTS = ListType.create(MapType.create(SimpleType.STRING, SimpleType.DYN));

    /** Every variable, in the order the documentation lists them. */
    static final Map<String, CelType> DECLARED = declared();

    /** Variables whose value changes from one statement to the next of the same session: decisions reading them are not cached. */
    static final Set<String> PER_STATEMENT = Set.of("request.time");

    /** Variables that differ between sessions of the same policy roles: decisions reading them are cached per session. */
    static final Set<String> PER_SESSION = Set.of("identity.subject", "identity.kind", "identity.groups", "identity.claims",
            "identity.client_id", "identity.owner", "identity.actor",
            "request.client_address", "request.application");

    /** One compiler and runtime for every condition: immutable, safe from any thread. */
    static final Cel CEL = cel();

    private PolicyVariables() {
    }

    private static Map<String, CelType> declared() {
        Map<String, CelType> v = new LinkedHashMap<>();
        v.put("identity.subject", SimpleType.STRING);
        v.put("identity.kind", SimpleType.STRING);
        v.put("identity.roles", STRINGS);
        v.put("identity.groups", STRINGS);
        v.put("identity.claims", MapType.create(SimpleType.STRING, SimpleType.DYN));
        v.put("identity.client_id", SimpleType.STRING);
        v.put("identity.owner", SimpleType.STRING);
        v.put("identity.actor", SimpleType.STRING);
        v.put("environment.name", SimpleType.STRING);
        v.put("environment.protection", SimpleType.STRING);
        v.put("statement.kind", SimpleType.STRING);
        v.put("statement.analysed", SimpleType.BOOL);
        v.put("statement.dialect", SimpleType.STRING);
        v.put("statement.database", SimpleType.STRING);
        v.put("statement.relations", OBJECTS);
        v.put("statement.actions", STRINGS);
        v.put("statement.columns", OBJECTS);
        v.put("request.time", SimpleType.TIMESTAMP);
        v.put("request.client_address", SimpleType.STRING);
        v.put("request.application", SimpleType.STRING);
        return Collections.unmodifiableMap(v);
    }

    private static Cel cel() {
        var builder = CelFactory.standardCelBuilder()
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setResultType(SimpleType.BOOL);
        DECLARED.forEach(builder::addVar);
        return builder.build();
    }

    /**
     * The values for one statement, each computed the first time a condition reads it (most rules read two or
     * three of them).
     */
    static CelVariableResolver resolver(StatementFacts facts, List<String> roles, Environment environment, TagRules tags,
                                        Clock clock) {
        Map<String, Object> values = new HashMap<>();
        return name -> {
            if (!DECLARED.containsKey(name)) {
                return Optional.empty();
            }
            Object v = values.get(name);
            if (v == null) {
                v = value(name, facts, roles, environment, tags, clock);
                values.put(name, v);
            }
            return Optional.of(v);
        };
    }

    private static Object value(String name, StatementFacts facts, List<String> roles, Environment environment,
                                TagRules tags, Clock clock) {
        SessionFacts session = facts.session();
        Analysis a = facts.analysis();
        return switch (name) {
            case "identity.subject" -> session.identity().name();
            case "identity.kind" -> session.kind().label();
            case "identity.roles" -> roles;
            case "identity.groups" -> session.identity().groups();
            case "identity.claims" -> session.identity().claims();
            case "identity.client_id" -> machine(session, Identity.Machine::clientId);
            case "identity.owner" -> machine(session, Identity.Machine::owner);
            case "identity.actor" -> machine(session, Identity.Machine::actor);
            case "environment.name" -> environment.name();
            case "environment.protection" -> environment.protection().label();
            case "statement.kind" -> a == null ? "UNKNOWN" : a.kind().name();
            case "statement.analysed" -> a != null && a.analysed();
            case "statement.dialect" -> facts.dialect() == Dialect.MYSQL ? "mysql" : "postgresql";
            case "statement.database" -> facts.database() == null ? "" : facts.database();
            case "statement.relations" -> relations(a);
            case "statement.actions" -> actions(a);
            case "statement.columns" -> columns(a, tags);
            case "request.time" -> timestamp(clock.instant());
            case "request.client_address" -> session.clientAddress();
            case "request.application" -> session.application();
            default -> throw new IllegalStateException("no value for declared variable " + name);
        };
    }

    /** A machine identity's field, "" for a person or when the configuration does not say. */
    private static String machine(SessionFacts session, Function<Identity.Machine, String> field) {
        Identity.Machine m = session.identity().machine();
        String v = m == null ? null : field.apply(m);
        return v == null ? "" : v;
    }

    private static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static List<Map<String, Object>> relations(Analysis a) {
        if (a == null) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (RelationAccess r : a.relations()) {
            out.add(Map.of("name", r.qualified(), "schema", r.schema(), "relation", r.relation(), "action", action(r)));
        }
        return out;
    }

    private static List<String> actions(Analysis a) {
        if (a == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        a.relations().forEach(r -> out.add(action(r)));
        return List.copyOf(out);
    }

    private static String action(RelationAccess r) {
        return r.action().name().toLowerCase(Locale.ROOT);
    }

    /**
     * Base columns the statement reads (through its result), writes, or uses (filter, join, group, order,
     * window), each with its effective tags: the classifier's (carried by the analysis from its catalog
     * snapshot), then the policy file's tags section.
     */
    private static List<Map<String, Object>> columns(Analysis a, TagRules tags) {
        if (a == null) {
            return List.of();
        }
        Set<Map<String, Object>> out = new LinkedHashSet<>();
        for (OutputColumn c : a.columns()) {
            if (c.lineage() instanceof Lineage.Known k) {
                k.columns().forEach(ref -> out.add(column(a, tags, ref, "read")));
            }
        }
        for (WrittenColumn w : a.writes()) {
            out.add(column(a, tags, w.column(), "write"));
        }
        for (ColumnUse u : a.uses()) {
            out.add(column(a, tags, u.column(), u.usage().name().toLowerCase(Locale.ROOT)));
        }
        return List.copyOf(out);
    }

    private static Map<String, Object> column(Analysis a, TagRules tags, ColumnRef ref, String access) {
        String relation = ref.schema() == null || ref.schema().isEmpty() ? ref.relation() : ref.schema() + "." + ref.relation();
        List<String> labels = tags.apply(ref.schema(), ref.relation(), ref.column(), a.tags(ref)).labels();
        return Map.of("relation", relation, "column", ref.column(), "access", access, "tags", labels);
    }
}
