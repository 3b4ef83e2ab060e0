package dev.veil.frontend;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Scrubbed errors keep the statement's own relation and column names and hide every other quoted part. */
class MaskedErrorsTest {
    private static final Set<String> OWN = Set.of("customers", "email", "phone");

    @Test
    void postgresKeepsTheStatementsOwnNamesAndHidesValuesAndConstraintNames() {
        Map<Character, String> fields = new LinkedHashMap<>(Map.of('M',
                "null value in column \"email\" of relation \"Customers\" violates not-null constraint \"customers_email_nn\"",
                'D', "Failing row contains (1, null)."));
        MaskedErrors.scrubPostgres(fields, OWN);
        assertThat(fields.get('M')).isEqualTo("null value in column \"email\" of relation \"Customers\" violates not-null"
                + " constraint \"***\"");
        assertThat(fields).doesNotContainKey('D');

        Map<Character, String> cast = new LinkedHashMap<>(Map.of('M', "invalid input syntax for type integer: \"890-75-1066\""));
        MaskedErrors.scrubPostgres(cast, OWN);
        assertThat(cast.get('M')).isEqualTo("invalid input syntax for type integer: \"***\"");
    }

    @Test
    void mysqlKeepsTheKeyNamedAfterTheColumnAndHidesTheEntry() {
        assertThat(MaskedErrors.scrubMySql("Duplicate entry 'jose@example.com' for key 'email'", OWN))
                .isEqualTo("Duplicate entry '***' for key 'email'");
        assertThat(MaskedErrors.scrubMySql("Duplicate entry 'email' for key 'customers_email'", Set.of()))
                .isEqualTo("Duplicate entry '***' for key '***'");
    }

    @Test
    void anUnclosedQuoteStillHidesTheRest() {
        assertThat(MaskedErrors.scrubMySql("Truncated value: 'email", OWN)).isEqualTo("Truncated value: '***'");
    }
}
