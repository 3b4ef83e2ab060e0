package dev.veil.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** After signing in, the browser goes back only to a console page of this origin: no open redirect. */
class SignInNextTest {
    @Test
    void aConsolePathIsKept() {
        assertThat(SignInResource.next("/console/approval-link/abc?action=approve&expires=1&nonce=n&sig=s"))
                .isEqualTo("/console/approval-link/abc?action=approve&expires=1&nonce=n&sig=s");
    }

    @Test
    void anythingElseGoesToTheAuditPage() {
        for (String next : new String[]{null, "", "https://evil.example/console/x", "//evil.example/console/", "/console",
                "/consolex/y", "/console/../q/health", "/console/\\evil", "/console/a b", "/console/a\r\nSet-Cookie: x"}) {
            assertThat(SignInResource.next(next)).as(String.valueOf(next)).isEqualTo("/console/audit");
        }
    }
}
