package dev.veil.identity;

import com.ongres.scram.common.ScramFunctions;
import dev.veil.config.VeilConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accounts that Veil authenticates itself: local accounts (demo accounts, and accounts configured under
 * veil.local-accounts) and service accounts (veil.identity.service-accounts, configured as SCRAM verifiers).
 * Only verifiers are kept in memory, never the passwords.
 */
@ApplicationScoped
public class LocalAccounts {
    /**
     * One account: a SCRAM verifier for PostgreSQL clients and cleartext checks, and the double hashes the
     * MySQL scramble exchanges need (the same things the servers themselves store). A service account is
     * configured as a SCRAM verifier only, so it has no MySQL hashes: MySQL clients send its secret in clear
     * inside TLS instead.
     */
    public record Account(String name, List<String> roles, ScramVerifier verifier, MySqlScramble.Verifier mysql,
                          Identity.Source source) {
        public Identity identity() {
            return new Identity(name, roles, source);
        }

        /** A local account configured without a password: it logs in without being asked for a secret. */
        public boolean withoutPassword() {
            return verifier == null && source == Identity.Source.LOCAL_ACCOUNT;
        }
    }

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final int iterations;
    private final byte[] decoyKey = new byte[32];

    public LocalAccounts(VeilConfig config) {
        this.iterations = config.pg().scramIterations();
        random.nextBytes(decoyKey);
        config.localAccounts().forEach((name, a) -> {
            String password = a.password().orElse("");
            if (password.isEmpty()) {
                // Allowed by ConfigValidation only on loopback listeners or in demo mode: no secret is asked for.
                addWithoutPassword(name, a.roles().orElse(List.of()));
            } else {
                add(name, password, a.roles().orElse(List.of()));
            }
        });
        config.identity().serviceAccounts().forEach((name, a) -> {
            ScramVerifier verifier;
            try {
                verifier = ScramVerifier.parse(a.verifier());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("veil.identity.service-accounts." + name + ".verifier: " + e.getMessage(), e);
            }
            addServiceAccount(name, verifier, a.roles().orElse(List.of()));
        });
    }

    public void add(String name, String password, List<String> roles) {
        accounts.put(name, new Account(name, List.copyOf(roles), ScramVerifier.derive(password, iterations, random),
                MySqlScramble.Verifier.derive(password), Identity.Source.LOCAL_ACCOUNT));
    }

    /** An account that logs in without a secret, as a trust-auth server lets its users in. */
    public void addWithoutPassword(String name, List<String> roles) {
        accounts.put(name, new Account(name, List.copyOf(roles), null, null, Identity.Source.LOCAL_ACCOUNT));
    }

    public void addServiceAccount(String name, ScramVerifier verifier, List<String> roles) {
        accounts.put(name, new Account(name, List.copyOf(roles), verifier, null, Identity.Source.SERVICE_ACCOUNT));
    }

    public Optional<Account> find(String name) {
        return Optional.ofNullable(accounts.get(name));
    }

    /** How many accounts Veil authenticates itself. */
    public int size() {
        return accounts.size();
    }

    public int scramIterations() {
        return iterations;
    }

    /** A verifier for names that do not exist, so a failed attempt looks the same whether or not the user exists. */
    public ScramVerifier decoy(String name) {
        // Keyed with a per-process secret: stable per name (like a real salt) but not computable from outside.
        byte[] salt = Arrays.copyOf(ScramFunctions.hmac(ScramVerifier.MECHANISM,
                decoyKey, name.getBytes(StandardCharsets.UTF_8)), 16);
        return new ScramVerifier(salt, iterations, new byte[32], new byte[32]);
    }
}
