package dev.veil.frontend.pg;

import dev.veil.protocol.pg.StartupMessage;
import dev.veil.error.ErrorCode;
import dev.veil.error.VeilException;
import dev.veil.upstream.DatabaseLogin;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class PgStartupParametersTest {

    private static StartupMessage startup(String... namesAndValues) {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            p.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new StartupMessage(StartupMessage.PROTOCOL_3_0, p);
    }

    private static PgStartupParameters from(String... namesAndValues) {
        return PgStartupParameters.from(startup(namesAndValues));
    }

    private static void assertRefused(Runnable r, ErrorCode code, String messagePart) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(VeilException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.fatal()).isTrue();
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Nested
    class UserAndDatabase {
        @Test
        void refusesAStartupWithoutUser() {
            assertRefused(() -> from("database", "shop"), ErrorCode.INVALID_AUTHORIZATION, "no PostgreSQL user name");
        }

        @Test
        void refusesAnEmptyUser() {
            assertRefused(() -> from("user", ""), ErrorCode.INVALID_AUTHORIZATION, "no PostgreSQL user name");
        }

        @Test
        void defaultsTheDatabaseToTheUser() {
            assertThat(from("user", "alice").database()).isEqualTo("alice");
            assertThat(from("user", "alice", "database", "").database()).isEqualTo("alice");
            assertThat(from("user", "alice", "database", "shop").database()).isEqualTo("shop");
        }

        @Test
        void keepsUserAndDatabaseOutOfTheSettings() {
            assertThat(from("user", "alice", "database", "shop").settings()).isEmpty();
            assertThat(from("user", "alice", "database", "shop").setStatement()).isNull();
        }
    }

    @Nested
    class Replication {
        @Test
        void physicalReplicationIsAskedForWithAnyOfTheServersTrueWords() {
            for (String on : List.of("true", "on", "1", "yes", "t", "Y")) {
                PgStartupParameters p = from("user", "alice", "replication", on, "application_name", "receiver");
                assertThat(p.replicating()).as(on).isTrue();
                // the settings go into the replication connection's own startup packet, which runs no SQL
                assertThat(p.replicationStartup()).as(on).containsExactly(entry("application_name", "receiver"),
                        entry("replication", "true"));
            }
        }

        @Test
        void logicalReplicationKeepsItsDatabaseWord() {
            PgStartupParameters p = from("user", "alice", "replication", "database");
            assertThat(p.replicating()).isTrue();
            assertThat(p.replicationStartup()).containsExactly(entry("replication", "database"));
        }

        @Test
        void aValueTheServerWouldRefuseIsRefusedAsItWould() {
            assertRefused(() -> from("user", "alice", "replication", "physical"), ErrorCode.INVALID_PARAMETER_VALUE,
                    "invalid value for parameter \"replication\"");
        }

        @Test
        void acceptsReplicationTurnedOffWithoutForwardingIt() {
            for (String off : List.of("false", "FALSE", "0", "off")) {
                assertThat(from("user", "alice", "replication", off).settings()).as(off).isEmpty();
                assertThat(from("user", "alice", "replication", off).replicating()).as(off).isFalse();
            }
        }
    }

    @Nested
    class ProtocolOptions {
        @Test
        void collectsPqOptionsInsteadOfForwardingThem() {
            PgStartupParameters p = from("user", "alice", "_pq_.compression", "on", "_pq_.other", "x", "TimeZone", "UTC");
            assertThat(p.unsupportedProtocolOptions()).containsExactly("_pq_.compression", "_pq_.other");
            assertThat(p.settings()).containsExactly(entry("TimeZone", "UTC"));
        }

        @Test
        void hasNoUnsupportedOptionsByDefault() {
            assertThat(from("user", "alice").unsupportedProtocolOptions()).isEmpty();
        }
    }

    @Nested
    class Options {
        @Test
        void parsesDashCWithASeparateAssignment() {
            assertThat(PgStartupParameters.parseOptions("-c search_path=app")).containsExactly(entry("search_path", "app"));
        }

        @Test
        void parsesDashCJoinedToTheAssignment() {
            assertThat(PgStartupParameters.parseOptions("-cstatement_timeout=5s")).containsExactly(entry("statement_timeout", "5s"));
        }

        @Test
        void parsesLongOptionsTurningDashesIntoUnderscores() {
            assertThat(PgStartupParameters.parseOptions("--statement-timeout=5s")).containsExactly(entry("statement_timeout", "5s"));
        }

        @Test
        void turnsDashesIntoUnderscoresOnlyInTheName() {
            assertThat(PgStartupParameters.parseOptions("-c search-path=a-b")).containsExactly(entry("search_path", "a-b"));
        }

        @Test
        void keepsBackslashEscapedSpacesInsideAValue() {
            assertThat(PgStartupParameters.parseOptions("-c search_path=my\\ schema,public"))
                    .containsExactly(entry("search_path", "my schema,public"));
        }

        @Test
        void keepsAnEscapedBackslash() {
            assertThat(PgStartupParameters.parseOptions("-c x.y=a\\\\b")).containsExactly(entry("x.y", "a\\b"));
        }

        @Test
        void parsesSeveralSwitchesSeparatedByAnyWhitespace() {
            assertThat(PgStartupParameters.parseOptions("  -c a=1\t-cb=2   --c-d=3 "))
                    .containsExactly(entry("a", "1"), entry("b", "2"), entry("c_d", "3"));
        }

        @Test
        void keepsEqualsSignsAfterTheFirstInTheValue() {
            assertThat(PgStartupParameters.parseOptions("-c x.filter=a=b")).containsExactly(entry("x.filter", "a=b"));
        }

        @Test
        void parsesNothingFromBlankOptions() {
            assertThat(PgStartupParameters.parseOptions("   ")).isEmpty();
        }

        @Test
        void refusesOtherServerSwitches() {
            assertRefused(() -> PgStartupParameters.parseOptions("-B 100"), ErrorCode.UNSUPPORTED, "-B");
            assertRefused(() -> PgStartupParameters.parseOptions("-c a=1 -F"), ErrorCode.UNSUPPORTED, "-F");
        }

        @Test
        void refusesAnAssignmentWithoutName() {
            assertRefused(() -> PgStartupParameters.parseOptions("-c =1"), ErrorCode.PROTOCOL_VIOLATION, "=1");
            assertRefused(() -> PgStartupParameters.parseOptions("--novalue"), ErrorCode.PROTOCOL_VIOLATION, "novalue");
        }

        @Test
        void mergesOptionsIntoTheSettings() {
            PgStartupParameters p = from("user", "alice", "options", "-c search_path=app --work-mem=64MB");
            assertThat(p.settings()).containsExactly(entry("search_path", "app"), entry("work_mem", "64MB"));
        }
    }

    @Nested
    class ApplicationName {
        @Test
        void usesTheFallbackWhenNoApplicationNameIsGiven() {
            assertThat(from("user", "alice", "fallback_application_name", "psql").settings())
                    .containsExactly(entry("application_name", "psql"));
        }

        @Test
        void prefersTheApplicationNameWhicheverComesFirst() {
            assertThat(from("user", "alice", "fallback_application_name", "psql", "application_name", "app").settings())
                    .containsExactly(entry("application_name", "app"));
            assertThat(from("user", "alice", "application_name", "app", "fallback_application_name", "psql").settings())
                    .containsExactly(entry("application_name", "app"));
        }
    }

    @Nested
    class SetStatement {
        private static final String SELECT = "SELECT ";

        private static String setConfig(String quotedName, String quotedValue) {
            return "pg_catalog.set_config(" + quotedName + ", " + quotedValue + ", false)";
        }

        private static String sql(Map<String, String> settings) {
            return new PgStartupParameters("alice", "alice", settings, List.of()).setStatement();
        }

        @Test
        void appliesEverySettingInOneSimpleQuery() {
            assertThat(from("user", "alice", "application_name", "psql", "DateStyle", "ISO, MDY").setStatement())
                    .isEqualTo(SELECT + setConfig("$veil$application_name$veil$", "$veil$psql$veil$") + ", "
                            + setConfig("$veil$DateStyle$veil$", "$veil$ISO, MDY$veil$"));
        }

        @Test
        void passesANameWithADoubleQuoteAsALiteral() {
            assertThat(from("user", "alice", "we\"ird", "1").setStatement())
                    .isEqualTo(SELECT + setConfig("$veil$we\"ird$veil$", "$veil$1$veil$"));
        }

        @Test
        void changesTheDollarTagWhenTheValueContainsIt() {
            assertThat(from("user", "alice", "x.y", "a$veil$b").setStatement())
                    .isEqualTo(SELECT + setConfig("$veil$x.y$veil$", "$veil0$a$veil$b$veil0$"));
            assertThat(from("user", "alice", "x.y", "$veil$$veil0$").setStatement())
                    .isEqualTo(SELECT + setConfig("$veil$x.y$veil$", "$veil1$$veil$$veil0$$veil1$"));
        }

        @Test
        void leavesSingleQuotesAndBackslashesAlone() {
            // Inside a dollar quote neither character is special, whatever standard_conforming_strings says.
            assertThat(from("user", "alice", "x.y", "it's a \\' trap").setStatement())
                    .isEqualTo(SELECT + setConfig("$veil$x.y$veil$", "$veil$it's a \\' trap$veil$"));
        }

        @Test
        void readsBackExactlyTheNamesAndValuesGiven() {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("application_name", "it's");
            settings.put("x.quote", "'; DROP TABLE t; --");
            settings.put("x.backslash", "\\'); DROP TABLE t; --");
            settings.put("x\"; DROP TABLE t; --", "1");
            settings.put("x.tag", "$veil$, false); DROP TABLE t; --$veil$");
            settings.put("x.tags", "$veil$$veil0$$veil1$");
            settings.put("x.dollars", "$$ $ $$$");
            settings.put("x.empty", "");
            settings.put("x.unicode", "h\u00e9llo \u2603");

            assertThat(SetConfigReader.read(sql(settings))).containsExactlyEntriesOf(settings);
        }

        @Test
        void readsBackAValueEndingInTheStartOfTheDollarTag() {
            // "$veil$" + "x$veil" + "$veil$": the first "$veil$" after the opening one starts inside the value,
            // so the literal would end after "x" and leave "veil$" as SQL.
            for (String value : List.of("x$veil", "$veil", "$veil$ and $veil0")) {
                assertThat(SetConfigReader.read(sql(Map.of("x.y", value)))).as(value).containsExactly(entry("x.y", value));
            }
        }

        @Test
        void readsBackANameEndingInTheStartOfTheDollarTag() {
            assertThat(SetConfigReader.read(sql(Map.of("x.y$veil", "1")))).containsExactly(entry("x.y$veil", "1"));
        }
    }

    /**
     * Reads {@code SELECT pg_catalog.set_config(<name>, <value>, false), ...} back the way PostgreSQL's lexer
     * would, per https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-DOLLAR-QUOTING:
     * a dollar-quoted string $tag$...$tag$ runs to the first occurrence of its opening tag and nothing
     * inside it is escaped. Anything else in the statement is a failure.
     */
    static final class SetConfigReader {
        private final String sql;
        private int pos;

        private SetConfigReader(String sql) {
            this.sql = sql;
        }

        static Map<String, String> read(String sql) {
            SetConfigReader r = new SetConfigReader(sql);
            Map<String, String> out = new LinkedHashMap<>();
            r.expect("SELECT ");
            while (true) {
                r.expect("pg_catalog.set_config(");
                String name = r.dollarQuoted();
                r.expect(", ");
                String value = r.dollarQuoted();
                r.expect(", false)");
                out.put(name, value);
                if (r.pos == sql.length()) {
                    return out;
                }
                r.expect(", ");
            }
        }

        private void expect(String token) {
            if (!sql.startsWith(token, pos)) {
                throw new AssertionError("expected '" + token + "' at " + pos + " in: " + sql);
            }
            pos += token.length();
        }

        private String dollarQuoted() {
            expect("$");
            int close = sql.indexOf('$', pos);
            if (close < 0) {
                throw new AssertionError("unterminated dollar tag in: " + sql);
            }
            String tagName = sql.substring(pos, close);
            // A tag follows the rules of an unquoted identifier, without '$'.
            if (!tagName.matches("([A-Za-z_\\u0080-\\uffff][A-Za-z0-9_\\u0080-\\uffff]*)?")) {
                throw new AssertionError("invalid dollar-quote tag '" + tagName + "' in: " + sql);
            }
            String tag = "$" + tagName + "$";
            pos = close + 1;
            int end = sql.indexOf(tag, pos);
            if (end < 0) {
                throw new AssertionError("unterminated dollar-quoted string in: " + sql);
            }
            String value = sql.substring(pos, end);
            pos = end + tag.length();
            return value;
        }
    }

    @Nested
    class ReadOnlyLogins {
        private final DatabaseLogin reader = new DatabaseLogin("analyst", "reader", "secret", true);

        @Test
        void aStartupSettingThatKeepsTheSessionReadOnlyIsAccepted() {
            from("user", "agent", "default_transaction_read_only", "on").refuseReadWrite(reader);
            from("user", "agent", "options", "-c transaction_read_only=true").refuseReadWrite(reader);
        }

        @Test
        void aStartupSettingThatWouldMakeItReadWriteIsRefused() {
            assertRefused(() -> from("user", "agent", "default_transaction_read_only", "off").refuseReadWrite(reader),
                    ErrorCode.POLICY_DENIED, "could make the transaction read-write");
            assertRefused(() -> from("user", "agent", "options", "-c default_transaction_read_only=0").refuseReadWrite(reader),
                    ErrorCode.POLICY_DENIED, "read-only");
        }
    }
}
