package dev.veil.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the audit trail records. One JSON shape per event (documented in docs/audit.md); the type
 * name is the {@code type} field of each JSON line, the record components are the other fields.
 * Every field is always present; facts a later stage fills (analysis, masks, approval) are null or empty
 * until then, so the shape of each event stays the same as stages are added.
 */
// Jackson writes the records an event holds (Who, Decision, …) by reflection; a native image must be told of them,
// or the first session's record fails to serialise (NativeInitializationTest checks every nested type is listed).
@RegisterForReflection(targets = {AuditEvent.Who.class, AuditEvent.Outcome.class, AuditEvent.Decision.class,
        AuditEvent.Observation.class, AuditEvent.Verdict.class, AuditEvent.Analysis.class, AuditEvent.ColumnAccess.class,
        AuditEvent.Mask.class, AuditEvent.SessionStarted.class, AuditEvent.SessionEnded.class,
        AuditEvent.StatementDecided.class, AuditEvent.StatementCompleted.class, AuditEvent.AuthenticationFailed.class,
        AuditEvent.AuthenticationFailuresSuppressed.class, AuditEvent.PolicyReloaded.class, AuditEvent.AdminAction.class,
        AuditEvent.BreakGlass.class, AuditEvent.Checkpoint.class})
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AuditEvent.SessionStarted.class, name = "session.started"),
        @JsonSubTypes.Type(value = AuditEvent.SessionEnded.class, name = "session.ended"),
        @JsonSubTypes.Type(value = AuditEvent.StatementDecided.class, name = "statement.decided"),
        @JsonSubTypes.Type(value = AuditEvent.StatementCompleted.class, name = "statement.completed"),
        @JsonSubTypes.Type(value = AuditEvent.AuthenticationFailed.class, name = "auth.failed"),
        @JsonSubTypes.Type(value = AuditEvent.AuthenticationFailuresSuppressed.class, name = "auth.suppressed"),
        @JsonSubTypes.Type(value = AuditEvent.PolicyReloaded.class, name = "policy.reloaded"),
        @JsonSubTypes.Type(value = AuditEvent.AdminAction.class, name = "admin.action"),
        @JsonSubTypes.Type(value = AuditEvent.BreakGlass.class, name = "access.break-glass"),
        @JsonSubTypes.Type(value = AuditEvent.Checkpoint.class, name = "checkpoint")})
public sealed interface AuditEvent {
    Instant time();

    /** The identity an event is about (for search); null when there is none (a checkpoint). */
    default String identityName() {
        return null;
    }

    /** Who a session belongs to, as proven at authentication. */
    /**
     * {@code provider}: the OIDC provider that vouched for a token identity, null for accounts Veil holds;
     * {@code groups}: a token's groups as the provider wrote them (what policy role bindings read; policy replay
     * needs them), empty for accounts Veil holds and in records written before they were kept.
     */
    /*
     * {@code kind}: person, service or agent (absent in records written before it was kept); {@code clientId},
     * {@code owner}, {@code actor}: a machine identity's OAuth client, its owner and the actor of a token exchange
     * (absent for people).
     */
    record Who(String name, List<String> roles, String source, String provider, List<String> groups,
               @JsonInclude(JsonInclude.Include.NON_NULL) String kind,
               @JsonInclude(JsonInclude.Include.NON_NULL) String clientId,
               @JsonInclude(JsonInclude.Include.NON_NULL) String owner,
               @JsonInclude(JsonInclude.Include.NON_NULL) String actor) {
        public Who {
            groups = groups == null ? List.of() : List.copyOf(groups);
        }

        public Who(String name, List<String> roles, String source, String provider, List<String> groups) {
            this(name, roles, source, provider, groups, null, null, null, null);
        }

        public Who(String name, List<String> roles, String source, String provider) {
            this(name, roles, source, provider, List.of());
        }
    }

    /**
     * A client session began: authenticated and holding an upstream connection, logged in to the database as
     * {@code databaseUser} (a role's database user, or the upstream's own).
     */
    record SessionStarted(Instant time, long sessionId, String protocol, Who identity, String clientAddress,
                          String applicationName, boolean tls, String environment, String upstream,
                          String database, String databaseUser) implements AuditEvent {
        @Override
        public String identityName() {
            return identity.name();
        }
    }

    /** A client session ended; {@code reason} says how (terminated, disconnected, error). */
    record SessionEnded(Instant time, long sessionId, String identityName, long durationMillis, long statements,
                        String reason) implements AuditEvent {
    }

    /**
     * A decision about one statement, recorded (durably) before the statement reaches the upstream.
     * {@code analysis}, {@code masks} and {@code approval} are filled by the analysis, masking and approval
     * stages; until then they are empty. {@code statementLength} is the length (characters) of the whole
     * recorded text; when that is over veil.audit.max-statement-chars, {@code statement} holds its beginning,
     * {@code statementTruncated} is true and {@code statementSha256} is the SHA-256 of the whole text's UTF-8
     * bytes (null otherwise: the text itself is there). See {@link AuditBounds}.
     */
    record StatementDecided(Instant time, long sessionId, long statementId, String identityName,
                            List<String> roles, String environment, String upstream, String database,
                            String protocol, String fingerprint, String statement, long statementLength,
                            String statementSha256, boolean statementTruncated, boolean literalsRedacted,
                            List<String> parameters, Analysis analysis, Decision decision, List<Mask> masks,
                            String approval) implements AuditEvent {
        /** A decision about the whole text {@code statement} (it is cut, if need be, when it is recorded). */
        public StatementDecided(Instant time, long sessionId, long statementId, String identityName, List<String> roles,
                                String environment, String upstream, String database, String protocol, String fingerprint,
                                String statement, boolean literalsRedacted, List<String> parameters, Analysis analysis,
                                Decision decision, List<Mask> masks, String approval) {
            this(time, sessionId, statementId, identityName, roles, environment, upstream, database, protocol, fingerprint,
                    statement, statement == null ? 0 : statement.length(), null, false, literalsRedacted, parameters, analysis,
                    decision, masks, approval);
        }
    }

    /**
     * What a statement did: rows, time split between Veil and the upstream, the error if any
     * ({@code sqlState}; {@code errno} for MySQL servers, null for PostgreSQL). {@code decision}: a decision taken
     * once the statement ran (the affected-rows ceiling, on the rows counted), absent otherwise.
     */
    record StatementCompleted(Instant time, long sessionId, long statementId, String identityName,
                              Outcome outcome, String commandTag, Long rows, long veilMicros,
                              long upstreamMicros, String sqlState, Integer errno,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Decision decision) implements AuditEvent {
        public StatementCompleted(Instant time, long sessionId, long statementId, String identityName, Outcome outcome,
                                  String commandTag, Long rows, long veilMicros, long upstreamMicros, String sqlState,
                                  Integer errno) {
            this(time, sessionId, statementId, identityName, outcome, commandTag, rows, veilMicros, upstreamMicros, sqlState,
                    errno, null);
        }
    }

    /** A failed authentication attempt (wrong password or token, refused method, timeout). */
    record AuthenticationFailed(Instant time, String protocol, String user, String clientAddress, boolean tls,
                                String sqlState, String reason) implements AuditEvent {
        @Override
        public String identityName() {
            return user;
        }
    }

    /**
     * Failed authentications from one client address that were counted but not recorded one by one: more than
     * veil.audit.auth-failures.per-source came within one window ({@code from}, {@code to}). {@code clientAddress}
     * is null for the failures from addresses beyond the ones tracked at once (they share one window).
     */
    record AuthenticationFailuresSuppressed(Instant time, String clientAddress, long failures, Instant from, Instant to)
            implements AuditEvent {
    }

    /** A policy set was (re)loaded, or failed to load. */
    record PolicyReloaded(Instant time, String source, String version, boolean ok, String message)
            implements AuditEvent {
    }

    /** Something an administrator did through Veil's own interfaces (API, console, command line). */
    record AdminAction(Instant time, String actor, String action, String target, Map<String, String> detail,
                       boolean ok) implements AuditEvent {
        @Override
        public String identityName() {
            return actor;
        }
    }

    /**
     * An identity took policy role {@code role} at once, without approvers (docs/access.md): grant {@code grant}, in
     * force until {@code expires}, for the reason it gave. Recorded before the grant is stored.
     */
    record BreakGlass(Instant time, String identityName, String grant, String role, String environment, long minutes,
                      Instant expires, String reason) implements AuditEvent {
    }

    /**
     * Written by the audit log itself: at start, every N records or T seconds, before a file rotates and at
     * stop. {@code records} counts the records since the previous checkpoint; its own seq and hash are the
     * values worth copying somewhere safe (an anchor for {@code veil audit verify --anchor}).
     */
    record Checkpoint(Instant time, String reason, long records, Long previousCheckpoint, String nextFile,
                      String previousFile) implements AuditEvent {
    }

    /** Outcome of a statement as the client saw it. */
    enum Outcome {
        @JsonProperty("ok") OK,
        @JsonProperty("error") ERROR,
        /** Not run by the server: an earlier error in the same extended-protocol batch skipped it. */
        @JsonProperty("skipped") SKIPPED,
        /** Veil refused it (policy, or the audit log could not record it); it never reached the upstream. */
        @JsonProperty("refused") REFUSED,
        /** The client or the upstream went away before the statement finished. */
        @JsonProperty("interrupted") INTERRUPTED
    }

    /**
     * The policy decision and the rule that made it, under policy file version {@code policyVersion} (null
     * without a policy file). {@code observed}: the observe-mode rules that matched before it, each with what it
     * would have decided; they changed nothing. {@code probes}: the masked columns the statement filters, joins
     * or groups on as the masking rule allows (each such statement counts against the probing budget); left out
     * of the record when there are none.
     */
    record Decision(Verdict verdict, String rule, String reason, String policyVersion, List<Observation> observed,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> probes) {
        public static final String NO_POLICY = "no-policy";

        public Decision {
            observed = observed == null ? List.of() : List.copyOf(observed);
            probes = probes == null ? List.of() : probes;
        }

        public Decision(Verdict verdict, String rule, String reason, String policyVersion, List<Observation> observed) {
            this(verdict, rule, reason, policyVersion, observed, List.of());
        }

        public Decision(Verdict verdict, String rule, String reason) {
            this(verdict, rule, reason, null, List.of());
        }

        /** What every statement gets until the policy stage exists. */
        public static Decision allowWithoutPolicy() {
            return new Decision(Verdict.ALLOW, NO_POLICY, null);
        }
    }

    /** An observe-mode rule that matched: {@code mode} is always {@code observe}; the verdict it would have given. */
    record Observation(String rule, String mode, Verdict verdict, String reason) {
        public static final String OBSERVE = "observe";
    }

    enum Verdict {
        @JsonProperty("allow") ALLOW,
        @JsonProperty("deny") DENY,
        @JsonProperty("needs-approval") NEEDS_APPROVAL
    }

    /**
     * What the analysis stage found. {@code kind} is a {@link dev.veil.analysis.StatementKind} name, null
     * while the statement is not analysed; {@code lineage} is known, partial or unknown.
     */
    record Analysis(String kind, List<String> relations, List<ColumnAccess> columns, String lineage) {
        public static Analysis notAnalysed() {
            return new Analysis(null, List.of(), List.of(), null);
        }
    }

    /** One column a statement reads or writes, with the classification tags of that column. */
    record ColumnAccess(String relation, String column, String access, List<String> tags) {
    }

    /**
     * A mask applied to one output column (0-based {@code outputColumn}): {@code masker} from the directive of
     * {@code tag} (the strictest that applies), because its {@code origins} (base columns) carry the masked
     * {@code tags}. A column of unknown lineage masked by a value scan has no tags and no origins.
     */
    record Mask(int outputColumn, String columnLabel, String tag, String masker, List<String> tags, List<String> origins) {
        public Mask {
            tags = tags == null ? List.of() : tags;
            origins = origins == null ? List.of() : origins;
        }

        public Mask(int outputColumn, String columnLabel, String tag, String masker) {
            this(outputColumn, columnLabel, tag, masker, List.of(), List.of());
        }
    }
}
