package dev.veil.approval.access;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite's Veil with a policy whose access section lets engineers ask for admin (approved by one admin, at most
 * 1h, break-glass allowed), a rule that only admins read tables named acc_secret*, engineers of their own per test
 * (grants are per identity), and {@link #LEAD}, an admin who approves.
 */
public class AccessTestProfile implements QuarkusTestProfile {
    static final String LEAD = "lead";
    static final List<String> ENGINEERS = List.of("erin", "emil", "edda", "egon", "elke", "enno", "ebba");

    static final String POLICY = """
            roles:
              engineer: {local-accounts: [%s]}
              admin: {configured-roles: [admin]}
            access:
              roles:
                admin:
                  requesters: [engineer]
                  approvers: {roles: [admin], count: 1}
                  max-duration: 1h
                  break-glass: true
            rules:
              - name: secrets-for-admins
                when: 'statement.relations.exists(r, r.relation.startsWith("acc_secret") && r.action == "read")
                  && !("admin" in identity.roles)'
                outcome: deny
                reason: only admins read the secrets
            default:
              known-identity: {outcome: allow}
            """.formatted(String.join(", ", ENGINEERS));

    private static Path file;

    static String password(String user) {
        return user + "-secret";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("veil.policy.file", file().toString());
        cfg.put("veil.local-accounts." + LEAD + ".password", password(LEAD));
        cfg.put("veil.local-accounts." + LEAD + ".roles", "admin");
        for (String e : ENGINEERS) {
            cfg.put("veil.local-accounts." + e + ".password", password(e));
        }
        cfg.put("veil.access.check-interval", "200ms");
        return cfg;
    }

    private static synchronized Path file() {
        if (file == null) {
            try {
                file = Files.createTempDirectory("veil-access").resolve("policy.yaml");
                Files.writeString(file, POLICY);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
