package dev.veil.upstream;

import dev.veil.config.EndpointTlsMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which database user a session gets from the roles its identity holds: decided the same way every time. */
class UpstreamSettingsLoginTest {
    private static final DatabaseLogin ANALYST = new DatabaseLogin("analyst", "db_analyst", null, true);
    private static final DatabaseLogin ENGINEER = new DatabaseLogin("engineer", "db_engineer", "pw", false);
    private static final DatabaseLogin ADMIN = new DatabaseLogin("admin", "db_admin", "pw", false);

    private static UpstreamSettings upstream(boolean requireRoleUser, DatabaseLogin... roleUsers) {
        return new UpstreamSettings("prod", "postgresql", "db.internal", 5432, "app", "veil_gateway", "gw",
                new UpstreamSettings.TlsSettings(EndpointTlsMode.DISABLE, null),
                new UpstreamSettings.PoolSettings(0, 5, Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(1)),
                List.of(roleUsers), requireRoleUser);
    }

    @Test
    void aMappedRoleGetsItsUserAndAnyoneElseTheUpstreamsOwn() {
        UpstreamSettings u = upstream(false, ENGINEER, ANALYST);
        assertThat(u.loginFor(List.of("engineer"))).contains(ENGINEER);
        assertThat(u.loginFor(List.of("analyst"))).contains(ANALYST);
        assertThat(u.loginFor(List.of("reporting"))).contains(DatabaseLogin.upstreamUser("veil_gateway", "gw"));
        assertThat(u.loginFor(List.of())).contains(u.ownLogin());
    }

    @Test
    void severalMappedRolesGiveTheReadOnlyUserFirstThenTheFirstRoleByName() {
        UpstreamSettings u = upstream(false, ENGINEER, ADMIN, ANALYST);
        assertThat(u.loginFor(List.of("engineer", "analyst", "admin"))).contains(ANALYST);
        assertThat(u.loginFor(List.of("engineer", "admin"))).contains(ADMIN);
        assertThat(u.loginFor(List.of("admin", "engineer"))).contains(ADMIN);
    }

    @Test
    void anUpstreamThatRequiresARoleUserHasNoneForOtherIdentities() {
        UpstreamSettings u = upstream(true, ENGINEER);
        assertThat(u.loginFor(List.of("engineer"))).contains(ENGINEER);
        assertThat(u.loginFor(List.of("analyst"))).isEmpty();
    }

    @Test
    void aLoginNeverPrintsItsPassword() {
        assertThat(ENGINEER.toString()).isEqualTo("db_engineer (role engineer)").doesNotContain("pw");
        assertThat(ANALYST.toString()).isEqualTo("db_analyst (role analyst, read-only)");
    }
}
