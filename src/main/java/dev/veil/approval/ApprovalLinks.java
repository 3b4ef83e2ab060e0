package dev.veil.approval;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/**
 * Approve and deny links for chat messages (veil.approvals.slack-url, the webhook): each names one request, one
 * action, an expiry and a random nonce, signed with HMAC-SHA256 under veil.approvals.link-secret. A link grants
 * nothing by itself: it opens a confirmation page in the console, where the approver is signed in and the usual
 * checks apply; the signature only proves Veil made the link, the expiry bounds how long it is offered, and the
 * nonce (recorded in the control-plane table when used, see {@link LinkVotes}) makes it single-use.
 */
public final class ApprovalLinks {
    /** The console page a link opens; {@code /<request id>?action=…&expires=…&nonce=…&sig=…}. */
    public static final String PATH = "/console/approval-link/";
    private static final int SHORTEST_SECRET = 32;

    public enum Action {
        APPROVE, DENY;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A link's fields as its URL carries them. */
    public record Link(String id, Action action, Instant expires, String nonce) {
    }

    /** Why a link is refused: changed or not Veil's, past its expiry, or used already. */
    public enum Problem { TAMPERED, EXPIRED, USED }

    /** A checked link: {@code link} when it is good; else {@code problem} and a sentence for the page. */
    public record Checked(Link link, Problem problem, String message) {
        public boolean ok() {
            return problem == null;
        }
    }

    /** Not a static one: the native image would hold a generator made, and seeded, at build time. */
    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;
    private final boolean ownKey;
    private final Duration lifetime;
    private final String base;

    /**
     * @param secret veil.approvals.link-secret, or null for a random key of this process only
     * @param base   the console's address, as in the clients' notices
     */
    public ApprovalLinks(String secret, Duration lifetime, String base) {
        byte[] k;
        if (secret == null) {
            k = new byte[32];
            random.nextBytes(k);
        } else {
            if (secret.strip().length() < SHORTEST_SECRET) {
                throw new IllegalArgumentException("veil.approvals.link-secret must be at least " + SHORTEST_SECRET
                        + " characters (e.g. the output of: openssl rand -base64 32)");
            }
            k = secret.strip().getBytes(StandardCharsets.UTF_8);
        }
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.ownKey = secret == null;
        this.lifetime = lifetime;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** True when the key is this process's own (veil.approvals.link-secret unset). */
    public boolean ownKey() {
        return ownKey;
    }

    /** The request's page in the console's inbox. */
    public String console(String id) {
        return base + "/console/approvals/" + id;
    }

    /** A new link to {@code action} request {@code r}: expires after the link lifetime, never after the request. */
    public String url(ApprovalRequest r, Action action, Instant now) {
        Instant expires = now.plus(lifetime);
        return url(r.id(), action, expires.isAfter(r.expires()) ? r.expires() : expires);
    }

    /** A new link with this expiry (and a fresh nonce). */
    public String url(String id, Action action, Instant expires) {
        byte[] n = new byte[16];
        random.nextBytes(n);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(n);
        long exp = expires.getEpochSecond();
        return base + PATH + enc(id) + "?action=" + action.wire() + "&expires=" + exp + "&nonce=" + nonce
                + "&sig=" + sign(id, action.wire(), Long.toString(exp), nonce);
    }

    /**
     * Checks a link's signature and expiry (not whether it was used: that is the control-plane table's, see
     * {@link LinkVotes}). Any field missing, changed or malformed is TAMPERED.
     */
    public Checked check(String id, String action, String expires, String nonce, String sig, Instant now) {
        if (id == null || action == null || expires == null || nonce == null || sig == null) {
            return tampered("it lacks part of what Veil puts in a link");
        }
        if (!MessageDigest.isEqual(sign(id, action, expires, nonce).getBytes(StandardCharsets.US_ASCII),
                sig.getBytes(StandardCharsets.US_ASCII))) {
            return tampered(ownKey
                    ? "its signature does not match. This Veil signs links with a key of its own process "
                    + "(veil.approvals.link-secret is not set), so a link made by another instance or before a restart "
                    + "fails in the same way"
                    : "its signature does not match: it was changed, or not made by this Veil");
        }
        Action a;
        long exp;
        try {
            a = Action.valueOf(action.toUpperCase(Locale.ROOT));
            exp = Long.parseLong(expires);
        } catch (IllegalArgumentException e) {
            return tampered("its action or expiry is not one Veil writes");
        }
        Instant at = Instant.ofEpochSecond(exp);
        Link link = new Link(id, a, at, nonce);
        if (!now.isBefore(at)) {
            return new Checked(link, Problem.EXPIRED, "This link expired at " + at + " (links work for "
                    + lifetime.toMinutes() + " minutes, veil.approvals.link-lifetime). Decide in the console's inbox instead.");
        }
        return new Checked(link, null, null);
    }

    private static Checked tampered(String why) {
        return new Checked(null, Problem.TAMPERED, "This link is not valid: " + why + ". Nothing was decided; open "
                + "the request from the console's inbox instead.");
    }

    private String sign(String id, String action, String expires, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            // Length-prefixed fields: no two different links sign the same bytes.
            for (String part : new String[]{"veil-approval-link-v1", id, action, expires, nonce}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                mac.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
                mac.update(b);
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
