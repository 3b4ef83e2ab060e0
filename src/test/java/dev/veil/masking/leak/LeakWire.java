package dev.veil.masking.leak;

import dev.veil.analysis.Dialect;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How the leak contract maps onto one wire: its drivers and their modes, what a refusal looks like there, the
 * server behind Veil (for the canaries, around Veil), and its command-line client.
 */
interface LeakWire {
    Dialect dialect();

    /** Veil's listener of this wire. */
    int veilPort();

    /** The driver modes every case runs in (text and binary results, server-side statements, cursors). */
    List<String> modes();

    /** A connection in {@code mode} to Veil, through the recording forwarder listening on {@code port}. */
    Connection connect(String mode, int port, String user, String password) throws SQLException;

    /** Whether every step runs as a server-side prepared statement in this mode. */
    boolean prepares(String mode);

    /** Whether this mode reads results a row at a time (portals / cursor fetch): only one-statement cases run in it. */
    boolean fetchesRowByRow(String mode);

    /** A refusal by Veil (or by the database's own privileges): 42501, errno 1142. */
    boolean refused(SQLException e);

    /** Runs a {@code copy:} step: COPY … TO STDOUT read to its end. */
    void copyOut(Connection c, String sql) throws Exception;

    /** The upstream server itself, as its superuser (canaries go in around Veil). */
    Connection superuser() throws SQLException;

    /** Tables and views the write-path cases may have made, dropped on the server; the sink emptied. */
    void dropLeftovers(Connection superuser) throws SQLException;

    /** The DDL of the sink the write-path cases copy into, run through Veil as admin so its catalog knows it. */
    String sinkDdl();

    /** The command-line client (psql, mariadb) set to run {@code steps} as {@code user} through {@code port}. */
    ProcessBuilder cli(Path executable, int port, String user, String password, List<String> steps, Path scratch) throws Exception;

    String cliName();
}
