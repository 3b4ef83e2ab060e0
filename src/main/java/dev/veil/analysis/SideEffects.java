package dev.veil.analysis;

import dev.veil.analysis.parser.VeilOperators;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.util.SqlBasicVisitor;

import java.util.Locale;
import java.util.Map;

/**
 * The functions a statement calls (every one is listed in its {@link Effects}), and those that make a query do
 * more than read: they change settings, advance sequences, reach files or programs
 * on the server, run query text, or signal other sessions. A statement calling one is at least as dangerous as
 * what the function does, whatever its own syntax says.
 */
final class SideEffects {
    private static final Map<String, StatementKind> FUNCTIONS = Map.ofEntries(
            Map.entry("set_config", StatementKind.SESSION),
            Map.entry("nextval", StatementKind.WRITE), Map.entry("setval", StatementKind.WRITE),
            Map.entry("pg_advisory_lock", StatementKind.SESSION), Map.entry("pg_advisory_xact_lock", StatementKind.SESSION),
            Map.entry("pg_advisory_unlock", StatementKind.SESSION), Map.entry("pg_try_advisory_lock", StatementKind.SESSION),
            Map.entry("get_lock", StatementKind.SESSION), Map.entry("release_lock", StatementKind.SESSION),
            Map.entry("pg_notify", StatementKind.SESSION),
            Map.entry("pg_terminate_backend", StatementKind.PROCEDURAL), Map.entry("pg_cancel_backend", StatementKind.PROCEDURAL),
            Map.entry("pg_reload_conf", StatementKind.PROCEDURAL), Map.entry("pg_rotate_logfile", StatementKind.PROCEDURAL),
            Map.entry("pg_switch_wal", StatementKind.PROCEDURAL), Map.entry("pg_create_restore_point", StatementKind.PROCEDURAL),
            Map.entry("pg_read_file", StatementKind.PROCEDURAL), Map.entry("pg_read_binary_file", StatementKind.PROCEDURAL),
            Map.entry("pg_ls_dir", StatementKind.PROCEDURAL), Map.entry("pg_stat_file", StatementKind.PROCEDURAL),
            Map.entry("lo_import", StatementKind.PROCEDURAL), Map.entry("lo_export", StatementKind.PROCEDURAL),
            Map.entry("lo_unlink", StatementKind.WRITE), Map.entry("lo_create", StatementKind.WRITE),
            Map.entry("lo_from_bytea", StatementKind.WRITE), Map.entry("lo_put", StatementKind.WRITE),
            Map.entry("dblink", StatementKind.PROCEDURAL), Map.entry("dblink_exec", StatementKind.PROCEDURAL),
            Map.entry("dblink_connect", StatementKind.PROCEDURAL), Map.entry("query_to_xml", StatementKind.PROCEDURAL),
            Map.entry("query_to_xml_and_xmlschema", StatementKind.PROCEDURAL), Map.entry("table_to_xml", StatementKind.PROCEDURAL),
            Map.entry("cursor_to_xml", StatementKind.PROCEDURAL), Map.entry("load_file", StatementKind.PROCEDURAL),
            Map.entry("sys_exec", StatementKind.PROCEDURAL), Map.entry("sys_eval", StatementKind.PROCEDURAL),
            Map.entry("pg_promote", StatementKind.PROCEDURAL), Map.entry("pg_file_write", StatementKind.PROCEDURAL),
            Map.entry("dblink_send_query", StatementKind.PROCEDURAL), Map.entry("table_to_xml_and_xmlschema", StatementKind.PROCEDURAL),
            Map.entry("schema_to_xml", StatementKind.PROCEDURAL), Map.entry("database_to_xml", StatementKind.PROCEDURAL),
            Map.entry("pg_drop_replication_slot", StatementKind.PROCEDURAL),
            Map.entry("pg_create_logical_replication_slot", StatementKind.PROCEDURAL),
            Map.entry("pg_create_physical_replication_slot", StatementKind.PROCEDURAL));

    private SideEffects() {
    }

    static void raise(SqlNode node, AnalysisBuilder out) {
        node.accept(new SqlBasicVisitor<Void>() {
            @Override
            public Void visit(SqlCall call) {
                if (call.getOperator() == VeilOperators.ASSIGN) {
                    out.atLeast(StatementKind.SESSION);
                }
                if (call.getOperator() instanceof SqlFunction f) {
                    String name = f.getName().toLowerCase(Locale.ROOT);
                    int dot = name.lastIndexOf('.');
                    String simple = dot < 0 ? name : name.substring(dot + 1);
                    out.functions.add(simple);
                    StatementKind k = FUNCTIONS.get(simple);
                    if (k != null) {
                        out.atLeast(k);
                    }
                }
                for (SqlNode operand : call.getOperandList()) {
                    if (operand != null) {
                        operand.accept(this);
                    }
                }
                return null;
            }
        });
    }
}
