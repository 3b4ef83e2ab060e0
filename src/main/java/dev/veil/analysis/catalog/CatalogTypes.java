package dev.veil.analysis.catalog;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

import java.util.Locale;
import java.util.Map;

/**
 * Server type names (PostgreSQL's pg_type names and SQL spellings, MySQL's DATA_TYPE values) to Calcite types.
 * Lineage does not depend on exact types, so anything unknown becomes VARCHAR rather than failing validation;
 * the same names are registered as type aliases so that {@code x::int4} and {@code CAST(x AS SIGNED)} validate.
 */
public final class CatalogTypes {
    static final Map<String, SqlTypeName> NAMES = Map.ofEntries(
            Map.entry("text", SqlTypeName.VARCHAR), Map.entry("varchar", SqlTypeName.VARCHAR),
            Map.entry("character varying", SqlTypeName.VARCHAR), Map.entry("bpchar", SqlTypeName.CHAR),
            Map.entry("character", SqlTypeName.CHAR), Map.entry("char", SqlTypeName.CHAR), Map.entry("name", SqlTypeName.VARCHAR),
            Map.entry("citext", SqlTypeName.VARCHAR), Map.entry("uuid", SqlTypeName.VARCHAR), Map.entry("json", SqlTypeName.VARCHAR),
            Map.entry("jsonb", SqlTypeName.VARCHAR), Map.entry("xml", SqlTypeName.VARCHAR), Map.entry("inet", SqlTypeName.VARCHAR),
            Map.entry("cidr", SqlTypeName.VARCHAR), Map.entry("macaddr", SqlTypeName.VARCHAR), Map.entry("tsvector", SqlTypeName.VARCHAR),
            Map.entry("tsquery", SqlTypeName.VARCHAR), Map.entry("pg_node_tree", SqlTypeName.VARCHAR),
            Map.entry("regclass", SqlTypeName.BIGINT), Map.entry("regtype", SqlTypeName.BIGINT), Map.entry("regproc", SqlTypeName.BIGINT),
            Map.entry("regprocedure", SqlTypeName.BIGINT), Map.entry("regnamespace", SqlTypeName.BIGINT), Map.entry("regrole", SqlTypeName.BIGINT),
            Map.entry("oid", SqlTypeName.BIGINT), Map.entry("xid", SqlTypeName.BIGINT), Map.entry("cid", SqlTypeName.BIGINT),
            Map.entry("int2", SqlTypeName.SMALLINT), Map.entry("smallint", SqlTypeName.SMALLINT), Map.entry("smallserial", SqlTypeName.SMALLINT),
            Map.entry("int4", SqlTypeName.INTEGER), Map.entry("int", SqlTypeName.INTEGER), Map.entry("integer", SqlTypeName.INTEGER),
            Map.entry("serial", SqlTypeName.INTEGER), Map.entry("mediumint", SqlTypeName.INTEGER),
            Map.entry("int8", SqlTypeName.BIGINT), Map.entry("bigint", SqlTypeName.BIGINT), Map.entry("bigserial", SqlTypeName.BIGINT),
            Map.entry("signed", SqlTypeName.BIGINT), Map.entry("unsigned", SqlTypeName.BIGINT), Map.entry("tinyint", SqlTypeName.TINYINT),
            Map.entry("numeric", SqlTypeName.DECIMAL), Map.entry("decimal", SqlTypeName.DECIMAL), Map.entry("money", SqlTypeName.DECIMAL),
            Map.entry("float4", SqlTypeName.REAL), Map.entry("real", SqlTypeName.REAL), Map.entry("float", SqlTypeName.DOUBLE),
            Map.entry("float8", SqlTypeName.DOUBLE), Map.entry("double", SqlTypeName.DOUBLE), Map.entry("double precision", SqlTypeName.DOUBLE),
            Map.entry("bool", SqlTypeName.BOOLEAN), Map.entry("boolean", SqlTypeName.BOOLEAN), Map.entry("bit", SqlTypeName.BOOLEAN),
            Map.entry("date", SqlTypeName.DATE), Map.entry("time", SqlTypeName.TIME), Map.entry("timetz", SqlTypeName.TIME),
            Map.entry("time without time zone", SqlTypeName.TIME), Map.entry("time with time zone", SqlTypeName.TIME),
            Map.entry("timestamp", SqlTypeName.TIMESTAMP), Map.entry("datetime", SqlTypeName.TIMESTAMP),
            Map.entry("timestamp without time zone", SqlTypeName.TIMESTAMP), Map.entry("timestamptz", SqlTypeName.TIMESTAMP),
            Map.entry("timestamp with time zone", SqlTypeName.TIMESTAMP), Map.entry("interval", SqlTypeName.VARCHAR),
            Map.entry("bytea", SqlTypeName.VARBINARY), Map.entry("blob", SqlTypeName.VARBINARY), Map.entry("longblob", SqlTypeName.VARBINARY),
            Map.entry("mediumblob", SqlTypeName.VARBINARY), Map.entry("tinyblob", SqlTypeName.VARBINARY), Map.entry("binary", SqlTypeName.VARBINARY),
            Map.entry("varbinary", SqlTypeName.VARBINARY), Map.entry("longtext", SqlTypeName.VARCHAR), Map.entry("mediumtext", SqlTypeName.VARCHAR),
            Map.entry("tinytext", SqlTypeName.VARCHAR), Map.entry("enum", SqlTypeName.VARCHAR), Map.entry("set", SqlTypeName.VARCHAR),
            Map.entry("year", SqlTypeName.INTEGER));

    private CatalogTypes() {
    }

    /** The Calcite type for a server type name; {@code text[]} and PostgreSQL's {@code _text} become arrays. */
    public static RelDataType toRelType(RelDataTypeFactory factory, String serverType, boolean nullable) {
        String t = serverType.toLowerCase(Locale.ROOT).trim();
        RelDataType type;
        if (t.endsWith("[]") || t.startsWith("_") || t.equals("int2vector") || t.equals("oidvector")) {
            String element = t.endsWith("[]") ? t.substring(0, t.length() - 2)
                    : t.startsWith("_") ? t.substring(1) : t.startsWith("int2") ? "int2" : "oid";
            type = factory.createArrayType(toRelType(factory, element, true), -1);
        } else {
            int paren = t.indexOf('(');
            String base = (paren < 0 ? t : t.substring(0, paren)).replace(" unsigned", "").trim();
            SqlTypeName name = NAMES.getOrDefault(base, SqlTypeName.VARCHAR);
            type = factory.createSqlType(name);
        }
        return factory.createTypeWithNullability(type, nullable);
    }
}
