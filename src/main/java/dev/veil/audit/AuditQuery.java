package dev.veil.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Filters over audit records; a null field does not filter. Relation and tag match what the analysis
 * stage recorded (relations read or written, tags of the columns touched or masked), so until that stage
 * exists they match nothing.
 *
 * <p>{@code order}: chain order (oldest first) or newest first; {@code limit} counts from that end.
 * {@code afterSeq} / {@code beforeSeq} keep the records with a seq above / below them: the cursor to page
 * with (newest first, the next page is before the last seq of this one; oldest first, after it). A seq never
 * moves, so pages neither repeat nor skip records while new ones are written, as an offset would.
 */
public record AuditQuery(String identity, Instant from, Instant to, String relation, String tag, String decision,
                         String rule, String type, int limit, Order order, Long afterSeq, Long beforeSeq, String kind) {
    public enum Order { OLDEST_FIRST, NEWEST_FIRST }

    /**
     * Without {@code kind}: the kind of identity (person, service, agent) a session.started record names; other
     * records name none, so a kind keeps only the session starts of that kind.
     */
    public AuditQuery(String identity, Instant from, Instant to, String relation, String tag, String decision,
                      String rule, String type, int limit, Order order, Long afterSeq, Long beforeSeq) {
        this(identity, from, to, relation, tag, decision, rule, type, limit, order, afterSeq, beforeSeq, null);
    }

    /** Oldest first, the whole chain. */
    public AuditQuery(String identity, Instant from, Instant to, String relation, String tag, String decision, String rule,
                      String type, int limit) {
        this(identity, from, to, relation, tag, decision, rule, type, limit, Order.OLDEST_FIRST, null, null);
    }

    public AuditQuery {
        if (order == null) {
            order = Order.OLDEST_FIRST;
        }
    }

    public static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, null, null, null, Integer.MAX_VALUE);
    }

    public boolean matches(JsonNode r) {
        if (afterSeq != null || beforeSeq != null) {
            long seq = r.path("seq").asLong();
            if ((afterSeq != null && seq <= afterSeq) || (beforeSeq != null && seq >= beforeSeq)) {
                return false;
            }
        }
        if (type != null && !type.equals(r.path("type").asText())) {
            return false;
        }
        if (kind != null && !kind.equalsIgnoreCase(r.path("identity").path("kind").asText())) {
            return false;
        }
        if (from != null || to != null) {
            Instant t = timeOf(r);
            if (t == null || (from != null && t.isBefore(from)) || (to != null && !t.isBefore(to))) {
                return false;
            }
        }
        if (identity != null && !identity.equals(identityOf(r))) {
            return false;
        }
        if ((decision != null || rule != null) && !decided(r.path("decision"))) {
            return false;
        }
        if (relation != null && !touches(r, relation)) {
            return false;
        }
        return tag == null || tagged(r, tag);
    }

    /**
     * When a record says it was written, or null when its time is missing or not an instant: a damaged or edited
     * line, which no time range can place (verify reports it: the record no longer matches its hash).
     */
    public static Instant timeOf(JsonNode r) {
        try {
            return Instant.parse(r.path("time").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The decision matches the verdict and rule asked for; or, when a rule is named, one of the observe-mode rules
     * recorded with it does (verdict and rule on the same entry): naming a rule finds what it would have done
     * in observe mode too, while a verdict alone is the statement's own.
     */
    private boolean decided(JsonNode d) {
        if (entryMatches(d)) {
            return true;
        }
        if (rule == null) {
            return false;
        }
        for (JsonNode o : d.path("observed")) {
            if (entryMatches(o)) {
                return true;
            }
        }
        return false;
    }

    private boolean entryMatches(JsonNode e) {
        return (decision == null || decision.equalsIgnoreCase(e.path("verdict").asText()))
                && (rule == null || rule.equals(e.path("rule").asText()));
    }

    /** Who a record is about, whatever its type. */
    public static String identityOf(JsonNode r) {
        for (String f : new String[]{"identityName", "user", "actor"}) {
            if (r.hasNonNull(f)) {
                return r.get(f).asText();
            }
        }
        return r.path("identity").hasNonNull("name") ? r.path("identity").get("name").asText() : null;
    }

    private static boolean touches(JsonNode r, String relation) {
        for (JsonNode n : r.path("analysis").path("relations")) {
            if (sameRelation(n.asText(), relation)) {
                return true;
            }
        }
        for (JsonNode c : r.path("analysis").path("columns")) {
            if (sameRelation(c.path("relation").asText(), relation)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code customers} matches {@code public.customers}; a qualified name must match exactly. The analysis
     * stage records relations as {@code schema.name:action} (read, insert, …); the action is not part of the name.
     */
    private static boolean sameRelation(String recorded, String wanted) {
        int action = recorded.lastIndexOf(':');
        String name = action > 0 && recorded.indexOf('"', action) < 0 ? recorded.substring(0, action) : recorded;
        return name.equalsIgnoreCase(wanted) || recorded.equalsIgnoreCase(wanted)
                || (!wanted.contains(".") && name.toLowerCase().endsWith("." + wanted.toLowerCase()));
    }

    private static boolean tagged(JsonNode r, String tag) {
        for (JsonNode c : r.path("analysis").path("columns")) {
            for (JsonNode t : c.path("tags")) {
                if (t.asText().equalsIgnoreCase(tag)) {
                    return true;
                }
            }
        }
        for (JsonNode m : r.path("masks")) {
            if (tag.equalsIgnoreCase(m.path("tag").asText())) {
                return true;
            }
        }
        return false;
    }
}
