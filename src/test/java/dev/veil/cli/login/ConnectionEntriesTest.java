package dev.veil.cli.login;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionEntriesTest {
    private static final ConnectionTarget SHOP = new ConnectionTarget("veil.example.com", 15432, 13306, "shop", "alice@example.com", "require");
    private static final ConnectionTarget ANY_DB = new ConnectionTarget("veil.example.com", 15432, 13306, null, "alice@example.com", "require");

    @Test
    void envLinesExportLibpqVariablesSingleQuoted() {
        assertThat(ConnectionEntries.env(SHOP, "eyJ.a'b.c")).isEqualTo("""
                export PGHOST='veil.example.com'
                export PGPORT='15432'
                export PGUSER='alice@example.com'
                export PGPASSWORD='eyJ.a'\\''b.c'
                export PGSSLMODE='require'
                export PGDATABASE='shop'
                """);
        assertThat(ConnectionEntries.env(ANY_DB, "t")).doesNotContain("PGDATABASE");
    }

    @Test
    void pgpassEscapesColonAndBackslashInEveryField() {
        ConnectionTarget t = new ConnectionTarget("h", 5432, 3306, "db:1", "dom\\al:ice", "require");
        assertThat(ConnectionEntries.pgpassLine(t, "p:w\\d")).isEqualTo("h:5432:db\\:1:dom\\\\al\\:ice:p\\:w\\\\d");
        assertThat(ConnectionEntries.pgpassFields("h:5432:db\\:1:dom\\\\al\\:ice:p\\:w\\\\d"))
                .containsExactly("h", "5432", "db:1", "dom\\al:ice", "p:w\\d");
    }

    @Test
    void pgpassWithoutDatabaseMatchesAnyDatabase() {
        assertThat(ConnectionEntries.pgpassLine(ANY_DB, "tok")).isEqualTo("veil.example.com:15432:*:alice@example.com:tok");
    }

    @Test
    void pgpassMergePutsTheEntryFirstAndReplacesTheOldOneForTheSameKey() {
        String existing = """
                # my servers
                db.internal:5432:*:app:secret
                veil.example.com:15432:shop:alice@example.com:old-token
                veil.example.com:15432:shop:bob@example.com:bobs-token
                veil.example.com:15432:other:alice@example.com:other-db
                """;
        assertThat(ConnectionEntries.mergePgpass(existing, SHOP, "new-token")).isEqualTo("""
                veil.example.com:15432:shop:alice@example.com:new-token
                # my servers
                db.internal:5432:*:app:secret
                veil.example.com:15432:shop:bob@example.com:bobs-token
                veil.example.com:15432:other:alice@example.com:other-db
                """);
        assertThat(ConnectionEntries.mergePgpass("", SHOP, "t")).isEqualTo("veil.example.com:15432:shop:alice@example.com:t\n");
    }

    @Test
    void serviceSectionHoldsEveryConnectionParameterButThePassword() {
        assertThat(ConnectionEntries.pgService("veil", SHOP)).isEqualTo("""
                [veil]
                host=veil.example.com
                port=15432
                user=alice@example.com
                sslmode=require
                dbname=shop
                """);
    }

    @Test
    void serviceMergeReplacesOnlyItsOwnSection() {
        String existing = """
                [prod]
                host=db.internal
                
                [veil]
                host=old.example.com
                password=old
                
                [staging]
                host=staging.internal
                """;
        assertThat(ConnectionEntries.mergeService(existing, "veil", ANY_DB)).isEqualTo("""
                [prod]
                host=db.internal
                
                [staging]
                host=staging.internal
                
                [veil]
                host=veil.example.com
                port=15432
                user=alice@example.com
                sslmode=require
                """);
    }

    @Test
    void mysqlOptionFileForMysqlClientsEnablesCleartextAndRequiresTls() {
        assertThat(ConnectionEntries.mysqlOptions(SHOP, "eyJ\"x\\y", MysqlClient.MYSQL)).isEqualTo("""
                # Written by veil login: the token is the password, sent as cleartext inside TLS.
                [client]
                host=veil.example.com
                port=13306
                user="alice@example.com"
                password="eyJ\\"x\\\\y"
                database="shop"
                enable-cleartext-plugin
                ssl-mode=REQUIRED
                """);
    }

    @Test
    void mysqlOptionFileForMariadbClientsUsesTheirTlsOptions() {
        assertThat(ConnectionEntries.mysqlOptions(ANY_DB, "t", MysqlClient.MARIADB)).isEqualTo("""
                # Written by veil login: the token is the password, sent as cleartext inside TLS.
                [client]
                host=veil.example.com
                port=13306
                user="alice@example.com"
                password="t"
                ssl
                skip-ssl-verify-server-cert
                """);
        assertThat(ConnectionEntries.mysqlOptions(new ConnectionTarget("h", 1, 2, null, "u", "verify-full"), "t", MysqlClient.MARIADB))
                .endsWith("ssl\nssl-verify-server-cert\n");
        assertThat(ConnectionEntries.mysqlOptions(new ConnectionTarget("h", 1, 2, null, "u", "disable"), "t", MysqlClient.MARIADB))
                .endsWith("skip-ssl\n");
    }

    @Test
    void sslModesMapToTheMysqlVocabulary() {
        assertThat(new ConnectionTarget("h", 1, 2, null, "u", "verify-full").mysqlSslMode()).isEqualTo("VERIFY_IDENTITY");
        assertThat(new ConnectionTarget("h", 1, 2, null, "u", "PREFER").mysqlSslMode()).isEqualTo("PREFERRED");
        assertThat(ConnectionEntries.mysqlOptions(new ConnectionTarget("h", 1, 2, null, "u", "disable"), "t", MysqlClient.MYSQL))
                .endsWith("ssl-mode=DISABLED\n");
        assertThat(ConnectionEntries.mysqlOptions(new ConnectionTarget("h", 1, 2, null, "u", "verify-ca"), "t", MysqlClient.MYSQL))
                .endsWith("ssl-mode=VERIFY_CA\n");
        assertThatThrownBy(() -> new ConnectionTarget("h", 1, 2, null, "u", "sometimes"))
                .isInstanceOf(LoginException.class).hasMessageContaining("unknown --sslmode sometimes");
    }
}
