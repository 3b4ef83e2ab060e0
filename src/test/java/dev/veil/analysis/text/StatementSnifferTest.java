package dev.veil.analysis.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The small COM_QUERY reader: statements split at top-level semicolons, leading words, comments dropped. */
class StatementSnifferTest {
    private static List<List<String>> words(String sql, boolean backslashEscapes) {
        return StatementSniffer.statements(sql, backslashEscapes).stream().map(StatementSniffer.Statement::words).toList();
    }

    @Test
    void splitsAtTopLevelSemicolonsOnly() {
        assertThat(words("SELECT 1; SELECT ';' ; /* ; */ SELECT `a;b`; -- ;\nSELECT \"x;y\";", true))
                .containsExactly(List.of("SELECT", "1"), List.of("SELECT"), List.of("SELECT"), List.of("SELECT"));
    }

    @Test
    void keepsLeadingWordsUpperCasedUntilTheFirstOtherToken() {
        assertThat(words("load data low_priority local infile 'x' into table t", true))
                .containsExactly(List.of("LOAD", "DATA", "LOW_PRIORITY", "LOCAL", "INFILE"));
        assertThat(words("kill query 5+1", true)).containsExactly(List.of("KILL", "QUERY", "5"));
    }

    @Test
    void readsVersionedCommentsAsCodeAndDropsOtherComments() {
        assertThat(StatementSniffer.statements("/*!50000 KILL */ /* note */ QUERY # more\n 5", true))
                .singleElement().satisfies(st -> {
                    assertThat(st.words()).containsExactly("KILL", "QUERY", "5");
                    assertThat(st.text().split("\\s+")).containsExactly("KILL", "QUERY", "5");
                });
    }

    @Test
    void startsADoubleDashCommentOnlyAtASpaceOrControlCharacter() {
        assertThat(words("SELECT 1--1", true)).containsExactly(List.of("SELECT", "1"));
        assertThat(StatementSniffer.statements("SELECT 1 --1", true).get(0).text()).isEqualTo("SELECT 1 --1");
        assertThat(StatementSniffer.statements("SELECT 1 --\tx", true).get(0).text()).isEqualTo("SELECT 1");
        assertThat(StatementSniffer.statements("SELECT 1 --\u00a0x", true).get(0).text()).contains("x");
    }

    @Test
    void readsABackslashBeforeAQuoteEitherWay() {
        String sql = "SELECT 'a\\'; KILL 5; -- '";
        assertThat(words(sql, true)).containsExactly(List.of("SELECT"));
        assertThat(words(sql, false)).containsExactly(List.of("SELECT"), List.of("KILL", "5"));
    }

    @Test
    void cutsAtEverySemicolonEvenInsideAStoredProgramBody() {
        // The splitter keeps a body whole; here a KILL inside it must still be seen.
        assertThat(words("CREATE PROCEDURE p() BEGIN SELECT 1; KILL 5; END", true))
                .containsExactly(List.of("CREATE", "PROCEDURE", "P"), List.of("KILL", "5"), List.of("END"));
    }

    @Test
    void endsALineCommentAtANewlineOnly() {
        // A lone carriage return does not end the comment for the servers: the quote after it is comment too.
        assertThat(words("SELECT 1 # note\r'\n; KILL 5; -- '", true))
                .containsExactly(List.of("SELECT", "1"), List.of("KILL", "5"));
    }

    @Test
    void separatesTheWordsAroundAVersionedCommentMarker() {
        assertThat(StatementSniffer.statements("KILL/*!5*/5", true)).singleElement().satisfies(st -> {
            assertThat(st.words()).containsExactly("KILL", "5");
            assertThat(st.text().split("\\s+")).containsExactly("KILL", "5");
        });
    }

    @Test
    void ignoresEmptyStatements() {
        assertThat(StatementSniffer.statements(" ; ;; -- nothing\n", true)).isEmpty();
    }
}
