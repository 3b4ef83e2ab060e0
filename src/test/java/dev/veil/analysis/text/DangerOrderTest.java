package dev.veil.analysis.text;

import dev.veil.analysis.StatementKind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DangerOrderTest {

    @Test
    void ordersEveryKindFromReadToUnknown() {
        assertThat(DangerOrder.ascending()).containsExactly(StatementKind.READ, StatementKind.TRANSACTION_CONTROL,
                StatementKind.SESSION, StatementKind.WRITE, StatementKind.DDL, StatementKind.PRIVILEGE,
                StatementKind.PROCEDURAL, StatementKind.UNKNOWN);
        assertThat(DangerOrder.ascending()).containsExactlyInAnyOrder(StatementKind.values());
    }

    @Test
    void maxAndAtLeastFollowTheOrder() {
        assertThat(DangerOrder.max(StatementKind.WRITE, StatementKind.SESSION)).isEqualTo(StatementKind.WRITE);
        assertThat(DangerOrder.max(StatementKind.READ, StatementKind.UNKNOWN)).isEqualTo(StatementKind.UNKNOWN);
        assertThat(DangerOrder.atLeast(StatementKind.DDL, StatementKind.WRITE)).isTrue();
        assertThat(DangerOrder.atLeast(StatementKind.READ, StatementKind.WRITE)).isFalse();
        assertThat(Arrays.stream(StatementKind.values()).sorted(DangerOrder.COMPARATOR))
                .containsExactlyElementsOf(DangerOrder.ascending());
    }
}
