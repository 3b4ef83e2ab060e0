package dev.veil.policy.file;

import dev.veil.audit.AuditEvent;
import dev.veil.config.ConfigurationProblem;
import dev.veil.policy.PolicyEngine;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.PolicySet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyFileTest {
    private static final String GOOD = """
            roles:
              engineer: {local-accounts: [erin]}
            rules:
              - name: no-deletes
                when: '"delete" in statement.actions'
                outcome: deny
                reason: no deletes
            """;
    private static final String BETTER = GOOD.replace("no deletes", "deletes need a ticket");
    private static final String BROKEN = GOOD.replace("statement.actions", "statement.actionz");

    @TempDir
    Path dir;

    private final PolicyEngine engine = PolicyEngine.builtIn();
    private final List<AuditEvent.PolicyReloaded> events = new CopyOnWriteArrayList<>();
    private PolicyFile file;

    private PolicyFile policyFile(Path path) {
        // No periodic re-read within a test: a change is seen through the directory watch or not at all.
        file = new PolicyFile(path, "prod", engine, Clock.systemUTC(), e -> events.add((AuditEvent.PolicyReloaded) e),
                Duration.ofHours(1));
        return file;
    }

    @AfterEach
    void close() {
        if (file != null) {
            file.close();
        }
    }

    private String version() {
        PolicySet set = engine.policy();
        return set == null ? null : set.version();
    }

    /** Waits for the watch thread (bounded: the test fails if it never happens). */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("happened within 30 s").isTrue();
    }

    @Test
    void aGoodFileIsInForceAfterStartAndRecorded() throws IOException {
        Path p = Files.writeString(dir.resolve("policy.yaml"), GOOD);
        policyFile(p).start();
        assertThat(version()).isEqualTo(PolicyParser.version(GOOD));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.ok()).isTrue();
            assertThat(e.version()).isEqualTo(PolicyParser.version(GOOD));
            assertThat(e.source()).isEqualTo(p.toString());
            assertThat(e.message()).isEqualTo("loaded: 1 roles, 1 rules");
        });
        assertThat(file.status().inForce().version()).isEqualTo(version());
    }

    @Test
    void aBrokenFileStopsTheStartWithEveryMistakeAndIsRecorded() throws IOException {
        Path p = Files.writeString(dir.resolve("policy.yaml"), BROKEN);
        assertThatThrownBy(() -> policyFile(p).start()).isInstanceOf(ConfigurationProblem.class)
                .hasMessageStartingWith("veil.policy.file: the policy file cannot be used")
                .hasMessageContaining(p + ":5:24: rule no-deletes: when: unknown variable 'statement.actionz'");
        assertThat(engine.policy()).isNull();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.ok()).isFalse();
            assertThat(e.version()).isEqualTo(PolicyParser.version(BROKEN));
            assertThat(e.message()).startsWith("refused; no policy is in force: " + p + ":5:24:");
        });
    }

    @Test
    void aMissingFileStopsTheStart() {
        assertThatThrownBy(() -> policyFile(dir.resolve("absent.yaml")).start()).isInstanceOf(ConfigurationProblem.class)
                .hasMessageContaining("absent.yaml:1:1: cannot be read: NoSuchFile");
    }

    @Test
    void aBrokenChangeNeverReplacesTheLastGoodPolicy() throws IOException {
        Path p = Files.writeString(dir.resolve("policy.yaml"), GOOD);
        policyFile(p).start();
        Files.writeString(p, BROKEN);
        assertThat(file.reload()).isFalse();
        assertThat(version()).isEqualTo(PolicyParser.version(GOOD));
        assertThat(file.status().refusedVersion()).isEqualTo(PolicyParser.version(BROKEN));
        assertThat(file.status().refusal()).contains(":5:24: rule no-deletes");
        AuditEvent.PolicyReloaded refused = events.get(1);
        assertThat(refused.ok()).isFalse();
        assertThat(refused.message()).startsWith("refused; version " + PolicyParser.version(GOOD) + " stays in force: ");
        // the same broken content read again is not recorded again
        assertThat(file.reload()).isFalse();
        assertThat(events).hasSize(2);

        Files.writeString(p, BETTER);
        assertThat(file.reload()).isTrue();
        assertThat(version()).isEqualTo(PolicyParser.version(BETTER));
        assertThat(file.status().refusal()).isNull();
        assertThat(events.get(2).message()).isEqualTo("reloaded: 1 roles, 1 rules; replaces version " + PolicyParser.version(GOOD));
    }

    @Test
    void aFileThatGoesAwayLeavesThePolicyInForce() throws IOException {
        Path p = Files.writeString(dir.resolve("policy.yaml"), GOOD);
        policyFile(p).start();
        Files.delete(p);
        assertThat(file.reload()).isFalse();
        assertThat(version()).isEqualTo(PolicyParser.version(GOOD));
        assertThat(events.get(1).message()).contains("cannot be read: NoSuchFile");
        Files.writeString(p, GOOD);
        assertThat(file.reload()).isFalse(); // the version in force, back again
        assertThat(file.status().refusal()).isNull();
    }

    @Test
    void anEditedFileIsReloadedByTheWatch() throws Exception {
        Path p = Files.writeString(dir.resolve("policy.yaml"), GOOD);
        policyFile(p).start();
        Path next = Files.writeString(dir.resolve("policy.yaml.tmp"), BETTER);
        Files.move(next, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await(() -> PolicyParser.version(BETTER).equals(version()));
    }

    /**
     * The layout the kubelet makes for a ConfigMap mount, and its update: a new timestamped directory, a
     * {@code ..data_tmp} symlink to it renamed over {@code ..data}, the old directory removed. The file Veil is
     * given is a symlink through {@code ..data}; neither it nor the directory's other entries change.
     */
    @Test
    void aConfigMapUpdateIsReloadedThroughItsSymlinkSwap() throws Exception {
        Path first = Files.createDirectory(dir.resolve("..2026_11_24_10_00_00.000000001"));
        Files.writeString(first.resolve("policy.yaml"), GOOD);
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path mounted = Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("..data", "policy.yaml"));
        policyFile(mounted).start();
        assertThat(version()).isEqualTo(PolicyParser.version(GOOD));

        Path second = Files.createDirectory(dir.resolve("..2026_11_24_10_05_00.000000002"));
        Files.writeString(second.resolve("policy.yaml"), BETTER);
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(first.resolve("policy.yaml"));
        Files.delete(first);

        await(() -> PolicyParser.version(BETTER).equals(version()));
        assertThat(events).extracting(AuditEvent.PolicyReloaded::ok).containsExactly(true, true);
        assertThat(events.get(1).source()).isEqualTo(mounted.toString());

        // a broken update through the same swap is refused; the version before stays
        Path third = Files.createDirectory(dir.resolve("..2026_11_24_10_10_00.000000003"));
        Files.writeString(third.resolve("policy.yaml"), BROKEN);
        Files.move(Files.createSymbolicLink(dir.resolve("..data_tmp"), third.getFileName()), dir.resolve("..data"),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await(() -> events.size() == 3);
        assertThat(events.get(2).ok()).isFalse();
        assertThat(version()).isEqualTo(PolicyParser.version(BETTER));
    }

    @Test
    void withoutAFileNothingIsLoadedAndNothingRecorded() {
        policyFile(null).start();
        assertThat(file.configured()).isFalse();
        assertThat(engine.policy()).isNull();
        assertThat(events).isEmpty();
    }
}
