package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which databases a statement text drops or renames, as each server reads the names. */
class DatabaseDropsTest {
    private static final LexicalSettings PG = LexicalSettings.defaults(Dialect.POSTGRESQL);
    private static final LexicalSettings MYSQL = LexicalSettings.defaults(Dialect.MYSQL);

    @Test
    void postgresDropsAndRenamesNameTheDatabaseAsTheServerFoldsIt() {
        assertThat(DatabaseDrops.named(PG, "DROP DATABASE Reports")).containsExactly("reports");
        assertThat(DatabaseDrops.named(PG, "drop database if exists \"Reports\" with (force)")).containsExactly("Reports");
        assertThat(DatabaseDrops.named(PG, "DROP DATABASE reports (FORCE)")).containsExactly("reports");
        assertThat(DatabaseDrops.named(PG, "/* old */ ALTER DATABASE reports RENAME TO reports_2024;")).containsExactly("reports");
    }

    @Test
    void mysqlDropsADatabaseOrItsSynonymSchemaInAnyStatementOfTheText() {
        assertThat(DatabaseDrops.named(MYSQL, "DROP SCHEMA IF EXISTS `Reports`")).containsExactly("Reports");
        assertThat(DatabaseDrops.named(MYSQL, "select 1; drop database reports; drop database `a;b`"))
                .containsExactly("reports", "a;b");
        assertThat(DatabaseDrops.named(MYSQL, "/*!32312 DROP DATABASE reports */")).containsExactly("reports");
    }

    @Test
    void otherStatementsAndTextThatOnlyMentionsADropNameNone() {
        for (String sql : List.of("DROP TABLE database", "SELECT 'DROP DATABASE reports'", "-- DROP DATABASE reports\nSELECT 1",
                "ALTER DATABASE reports SET work_mem = '8MB'", "DROP SCHEMA reports", "CREATE DATABASE reports", "DROP DATABASE")) {
            assertThat(DatabaseDrops.named(PG, sql)).as(sql).isEmpty();
        }
        assertThat(DatabaseDrops.named(MYSQL, "ALTER DATABASE reports CHARACTER SET utf8mb4")).isEmpty();
        assertThat(DatabaseDrops.mayDrop("SELECT * FROM orders")).isFalse();
    }
}
