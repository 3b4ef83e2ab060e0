package dev.veil.masking.leak;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs cases in each of a wire's modes, one connection per mode and account, each case's steps in order (stopping
 * at the first that fails), and scans what Veil sent for it. What every case got is kept for the report and for
 * the comparison of a masked role's answers with admin's.
 */
final class LeakRun {
    /** What one case got in one mode: refused, answered (its values), or failed otherwise; and the canary forms seen. */
    record Outcome(LeakCases.Case c, String mode, boolean refused, String failure, List<String> values, int rows,
                   List<String> found) {
        boolean answered() {
            return !refused && failure == null;
        }

        @Override
        public String toString() {
            return mode + " " + c + (refused ? " [refused]" : failure != null ? " [failed: " + failure + "]" : " [answered]");
        }
    }

    /** Which account plays which role of the cases' file. */
    record Account(String user, String password) {
    }

    private static final int KEPT_VALUES = 2000;

    private final LeakWire wire;
    private final RecordingForwarder forwarder;
    private final CanaryScanner scanner;

    LeakRun(LeakWire wire, RecordingForwarder forwarder, CanaryScanner scanner) {
        this.wire = wire;
        this.forwarder = forwarder;
        this.scanner = scanner;
    }

    /**
     * Every case in every mode; {@code accounts} maps the file's roles (analyst, engineer) to who runs them. Before
     * each mode, what the write cases of the previous one made is dropped, so each mode tries every write itself.
     */
    List<Outcome> run(List<LeakCases.Case> cases, Map<String, Account> accounts) throws SQLException {
        List<Outcome> out = new ArrayList<>();
        for (String mode : wire.modes()) {
            try (Connection root = wire.superuser()) {
                wire.dropLeftovers(root);
            }
            Map<String, Connection> connections = new HashMap<>();
            try {
                forwarder.drain();
                for (LeakCases.Case c : cases) {
                    if (wire.fetchesRowByRow(mode) && !c.simple()) {
                        continue;
                    }
                    Account who = accounts.get(c.role());
                    Connection connection = connections.get(c.role());
                    if (connection == null || connection.isClosed()) {
                        connection = wire.connect(mode, forwarder.port(), who.user(), who.password());
                        connections.put(c.role(), connection);
                    }
                    out.add(runCase(connection, mode, c));
                }
            } finally {
                for (Connection c : connections.values()) {
                    c.close();
                }
            }
            List<String> late = scanner.find(forwarder.drain());
            if (!late.isEmpty()) {
                out.add(new Outcome(new LeakCases.Case(0, "after the cases", "-", List.of("(session end)"), false), mode,
                        false, null, List.of(), 0, late));
            }
        }
        return out;
    }

    private Outcome runCase(Connection connection, String mode, LeakCases.Case c) {
        boolean refused = false;
        String failure = null;
        List<String> values = new ArrayList<>();
        int[] rows = {0};
        for (String step : c.steps()) {
            try {
                if (step.startsWith("copy:")) {
                    wire.copyOut(connection, step.substring("copy:".length()));
                } else if (step.startsWith("prep:") || wire.prepares(mode)) {
                    String sql = step.startsWith("prep:") ? step.substring("prep:".length()) : step;
                    try (PreparedStatement ps = connection.prepareStatement(sql)) {
                        int parameters = (int) sql.chars().filter(ch -> ch == '?').count();
                        for (int i = 1; i <= parameters; i++) {
                            ps.setInt(i, 990000);
                        }
                        read(ps, ps.execute(), values, rows);
                    }
                } else {
                    try (Statement st = connection.createStatement()) {
                        read(st, st.execute(step), values, rows);
                    }
                }
            } catch (SQLException e) {
                refused = wire.refused(e);
                failure = refused ? null : e.getSQLState() + "/" + e.getErrorCode() + " " + firstLine(e.getMessage());
                break;
            } catch (Exception e) {
                failure = e.getClass().getSimpleName() + " " + firstLine(e.getMessage());
                break;
            }
        }
        endTransaction(connection, mode, c);
        return new Outcome(c, mode, refused, failure, values, rows[0], scanner.find(forwarder.drain()));
    }

    /** Whatever a case left open (its BEGIN, a failed step's transaction) ends before the next case. */
    private void endTransaction(Connection connection, String mode, LeakCases.Case c) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            } else if (c.steps().size() > 1) {
                try (Statement st = connection.createStatement()) {
                    st.execute("ROLLBACK");
                }
            }
        } catch (SQLException ignored) {
            // the connection is gone or had nothing open: the next case reconnects if need be
        }
    }

    private static void read(Statement st, boolean isResult, List<String> values, int[] rows) throws SQLException {
        boolean result = isResult;
        while (true) {
            if (result) {
                try (ResultSet rs = st.getResultSet()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        rows[0]++;
                        for (int i = 1; i <= columns; i++) {
                            if (values.size() < KEPT_VALUES) {
                                values.add(rs.getString(i));
                            }
                        }
                    }
                }
            } else if (st.getUpdateCount() == -1) {
                return;
            }
            result = st.getMoreResults();
        }
    }

    private static String firstLine(String message) {
        String m = String.valueOf(message);
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).substring(0, Math.min(200, nl < 0 ? m.length() : nl));
    }
}
