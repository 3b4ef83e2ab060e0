package dev.veil.analysis.parser;

import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.fun.SqlBasicAggFunction;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeTransforms;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.SqlOperatorTable;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.Locale;

/**
 * Operators our grammar produces that Calcite's libraries lack: PostgreSQL's JSON and containment operators,
 * MySQL's {@code ->}/{@code ->>} and REGEXP, and session variables. Their operands flow into their result, so
 * lineage marks the result as derived from the columns they read.
 */
public final class VeilOperators {
    /** Binds tighter than comparison (30) and looser than + and - (40), like PostgreSQL's "any other operator". */
    private static final int OTHER_OPERATOR_PRECEDENCE = 36;

    public static final SqlBinaryOperator JSON_GET = value("->");
    public static final SqlBinaryOperator JSON_GET_TEXT = value("->>");
    public static final SqlBinaryOperator JSON_PATH = value("#>");
    public static final SqlBinaryOperator JSON_PATH_TEXT = value("#>>");
    public static final SqlBinaryOperator CONTAINS = predicate("@>");
    public static final SqlBinaryOperator CONTAINED_BY = predicate("<@");
    public static final SqlBinaryOperator OVERLAPS = predicate("&&");
    public static final SqlBinaryOperator REGEXP = predicate("REGEXP");
    /** PostgreSQL's {@code ts AT TIME ZONE zone}: the same instant in another zone, derived from both operands. */
    public static final SqlBinaryOperator AT_TIME_ZONE = new SqlBinaryOperator("AT TIME ZONE", SqlKind.OTHER,
            OTHER_OPERATOR_PRECEDENCE + 2, true,
            ReturnTypes.explicit(SqlTypeName.TIMESTAMP).andThen(SqlTypeTransforms.TO_NULLABLE),
            InferTypes.FIRST_KNOWN, OperandTypes.ANY_ANY);
    /** PostgreSQL's jsonb key tests and text search match ({@code ? ?| ?& @? @@}). */
    public static final SqlBinaryOperator HAS_KEY = predicate("?");
    public static final SqlBinaryOperator HAS_ANY_KEY = predicate("?|");
    public static final SqlBinaryOperator HAS_ALL_KEYS = predicate("?&");
    public static final SqlBinaryOperator JSONPATH_EXISTS = predicate("@?");
    public static final SqlBinaryOperator TEXT_MATCH = predicate("@@");

    /** {@code @@name}: a server setting, never table data. */
    public static final SqlFunction SYSTEM_VARIABLE = new SqlFunction("VEIL_SYSTEM_VARIABLE", SqlKind.OTHER_FUNCTION,
            ReturnTypes.explicit(SqlTypeName.VARCHAR).andThen(SqlTypeTransforms.TO_NULLABLE), null,
            OperandTypes.STRING, SqlFunctionCategory.SYSTEM);
    /**
     * A PostgreSQL whole-row reference ({@code c}, {@code c.*} as a value) with the row's columns as operands (see
     * WholeRowReferences): its value is derived from every one of them. Typed as text, which every use of a row
     * accepts (casts, concatenation, comparison, JSON and aggregate functions), and nullable: a row with a NULL
     * column is NULL to IS NULL, so {@code c IS NOT NULL} is a real condition on every column.
     */
    public static final SqlFunction WHOLE_ROW = new SqlFunction("VEIL_ROW", SqlKind.OTHER_FUNCTION,
            ReturnTypes.explicit(SqlTypeName.VARCHAR).andThen(SqlTypeTransforms.FORCE_NULLABLE), InferTypes.RETURN_TYPE,
            OperandTypes.VARIADIC, SqlFunctionCategory.SYSTEM);
    /** {@code @name}: a user variable; it can hold anything a previous statement put there. */
    public static final SqlFunction USER_VARIABLE = new SqlFunction("VEIL_USER_VARIABLE", SqlKind.OTHER_FUNCTION,
            ReturnTypes.explicit(SqlTypeName.VARCHAR).andThen(SqlTypeTransforms.TO_NULLABLE), null,
            OperandTypes.STRING, SqlFunctionCategory.SYSTEM);

    /** PostgreSQL catalog functions psql and drivers call, with their real result types. */
    private static final List<String> BOOLEAN_FUNCTIONS = List.of("pg_table_is_visible", "pg_type_is_visible",
            "pg_conversion_is_visible", "pg_operator_is_visible", "pg_opfamily_is_visible", "pg_ts_config_is_visible",
            "pg_ts_dict_is_visible", "pg_ts_parser_is_visible", "pg_ts_template_is_visible",
            "pg_statistics_obj_is_visible",
            "pg_function_is_visible", "pg_is_in_recovery", "has_table_privilege", "has_schema_privilege",
            "has_database_privilege", "has_column_privilege", "has_function_privilege", "pg_has_role",
            "pg_is_other_temp_schema", "pg_collation_is_visible", "pg_opclass_is_visible", "pg_relation_is_publishable",
            // MySQL's JSON tests return 1 / 0 / NULL, which a WHERE clause reads as a condition.
            "json_contains", "json_contains_path", "json_overlaps");
    private static final List<String> TEXT_FUNCTIONS = List.of("format_type", "pg_get_expr", "pg_get_viewdef",
            "pg_get_constraintdef", "pg_get_indexdef", "pg_get_triggerdef", "pg_get_functiondef",
            "pg_get_function_arguments", "pg_get_function_result", "pg_get_userbyid", "obj_description",
            "col_description", "shobj_description", "quote_ident", "pg_encoding_to_char", "pg_get_partkeydef",
            "pg_get_statisticsobjdef", "pg_get_serial_sequence", "current_schema", "pg_size_pretty",
            "array_to_string", "version", "inet_server_addr", "pg_postmaster_start_time");

    private VeilOperators() {
    }

    /**
     * MySQL's {@code @v := expr}: the value is expr's, and the variable keeps it for later statements (a session
     * side effect, see SideEffects). Binds looser than anything else, like MySQL's assignment.
     */
    public static final SqlBinaryOperator ASSIGN = new SqlBinaryOperator(":=", SqlKind.OTHER, 2, false,
            ReturnTypes.ARG1_NULLABLE, InferTypes.FIRST_KNOWN, OperandTypes.ANY_ANY);

    /**
     * MySQL's MATCH (columns) AGAINST (search): a relevance score derived from every operand. Typed BOOLEAN because
     * MySQL reads it as a condition in WHERE (any non-zero score is true); its lineage does not depend on its type.
     */
    public static final SqlFunction MATCH_AGAINST = new SqlFunction("VEIL_MATCH_AGAINST", SqlKind.OTHER_FUNCTION,
            ReturnTypes.BOOLEAN_NULLABLE, InferTypes.RETURN_TYPE,
            OperandTypes.VARIADIC, SqlFunctionCategory.SYSTEM);

    /**
     * Set-returning functions PostgreSQL clients call in FROM, with their result columns. Calcite traces their
     * columns to no origin; the lineage reader does not trust that for a table function, so those columns come
     * out Unknown (safe) while the columns of the tables joined to them keep their lineage.
     */
    private static final List<VeilTableFunction> SET_RETURNING = List.of(
            new VeilTableFunction("generate_series", List.of(), 0),
            new VeilTableFunction("generate_subscripts", List.of("generate_subscripts"), -1),
            new VeilTableFunction("pg_get_keywords", List.of("word", "catcode", "barelabel", "catdesc", "baredesc"), -1),
            new VeilTableFunction("jsonb_each", List.of("key", "value"), -1),
            new VeilTableFunction("jsonb_each_text", List.of("key", "value"), -1),
            new VeilTableFunction("json_each", List.of("key", "value"), -1),
            new VeilTableFunction("json_each_text", List.of("key", "value"), -1),
            new VeilTableFunction("jsonb_array_elements", List.of("value"), -1),
            new VeilTableFunction("jsonb_array_elements_text", List.of("value"), -1),
            new VeilTableFunction("json_array_elements", List.of("value"), -1),
            new VeilTableFunction("json_array_elements_text", List.of("value"), -1),
            new VeilTableFunction("jsonb_object_keys", List.of("jsonb_object_keys"), -1),
            new VeilTableFunction("regexp_matches", List.of("regexp_matches"), -1),
            new VeilTableFunction("string_to_table", List.of("string_to_table"), -1));

    /** The name CalciteText gives {@code f(…) WITH ORDINALITY}: f's twin with the ordinality column after f's. */
    private static final String ORDINALITY_TWIN = "_veil_with_ordinality";

    /**
     * Set-returning functions modelled only WITH ORDINALITY: PostgreSQL also calls them in a select list (psql's
     * {@code IN (SELECT pg_partition_ancestors(…))}), where a table function cannot stand.
     */
    private static final List<VeilTableFunction> ORDINALITY_ONLY = List.of(
            new VeilTableFunction("pg_partition_ancestors", List.of("relid"), -1),
            new VeilTableFunction("pg_partition_tree", List.of("relid", "parentrelid", "isleaf", "level"), -1));

    public static final List<SqlFunction> TABLE_FUNCTIONS = Stream.concat(SET_RETURNING.stream(),
            Stream.concat(SET_RETURNING.stream(), ORDINALITY_ONLY.stream())
                    .map(f -> f.withOrdinality(f.getName() + ORDINALITY_TWIN))).collect(Collectors.toUnmodifiableList());

    /** The twin for {@code name(…) WITH ORDINALITY}, or null for a function not modelled here (UNNEST: Calcite's). */
    public static String withOrdinality(String name) {
        return Stream.concat(SET_RETURNING.stream(), ORDINALITY_ONLY.stream())
                .anyMatch(f -> f.getName().equalsIgnoreCase(name)) ? name + ORDINALITY_TWIN : null;
    }

    /** PostgreSQL aggregates Calcite's libraries lack; their result is derived from the aggregated values. */
    private static final List<String> AGGREGATES = List.of("json_agg", "jsonb_agg", "json_object_agg",
            "jsonb_object_agg", "xmlagg", "range_agg");

    /** A set-returning function of one column, whose name PostgreSQL takes from the FROM item's alias. */
    public static boolean isScalarTableFunction(String name) {
        return TABLE_FUNCTIONS.stream().anyMatch(f -> f.getName().equalsIgnoreCase(name)
                && ((VeilTableFunction) f).singleColumn());
    }

    /** The operator CalciteText names {@code name} (see its PG_NAMED_OPERATORS), or null. */
    public static SqlOperator named(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "HAS_KEY" -> HAS_KEY;
            case "HAS_ANY_KEY" -> HAS_ANY_KEY;
            case "HAS_ALL_KEYS" -> HAS_ALL_KEYS;
            case "JSONPATH_EXISTS" -> JSONPATH_EXISTS;
            case "TEXT_MATCH" -> TEXT_MATCH;
            case "ASSIGN" -> ASSIGN;
            default -> null;
        };
    }

    public static SqlOperatorTable table() {
        List<SqlOperator> ops = new ArrayList<>(List.of(JSON_GET, JSON_GET_TEXT, JSON_PATH, JSON_PATH_TEXT,
                CONTAINS, CONTAINED_BY, OVERLAPS, REGEXP, SYSTEM_VARIABLE, USER_VARIABLE, HAS_KEY, HAS_ANY_KEY, HAS_ALL_KEYS,
                JSONPATH_EXISTS, TEXT_MATCH, ASSIGN, MATCH_AGAINST, AT_TIME_ZONE, WHOLE_ROW));
        ops.addAll(TABLE_FUNCTIONS);
        AGGREGATES.forEach(n -> ops.add(SqlBasicAggFunction.create(
                n.toUpperCase(Locale.ROOT), SqlKind.OTHER_FUNCTION,
                ReturnTypes.explicit(SqlTypeName.VARCHAR).andThen(SqlTypeTransforms.TO_NULLABLE), OperandTypes.VARIADIC)));
        BOOLEAN_FUNCTIONS.forEach(n -> ops.add(function(n, SqlTypeName.BOOLEAN)));
        TEXT_FUNCTIONS.forEach(n -> ops.add(function(n, SqlTypeName.VARCHAR)));
        return SqlOperatorTables.of(ops);
    }

    /** Its result is derived from its arguments, like any function's. */
    private static SqlFunction function(String name, SqlTypeName type) {
        return new SqlFunction(name.toUpperCase(Locale.ROOT), SqlKind.OTHER_FUNCTION,
                ReturnTypes.explicit(type).andThen(SqlTypeTransforms.TO_NULLABLE), InferTypes.RETURN_TYPE,
                OperandTypes.VARIADIC, SqlFunctionCategory.SYSTEM);
    }

    private static SqlBinaryOperator value(String name) {
        return new SqlBinaryOperator(name, SqlKind.OTHER, OTHER_OPERATOR_PRECEDENCE, true,
                ReturnTypes.explicit(SqlTypeName.VARCHAR).andThen(SqlTypeTransforms.TO_NULLABLE),
                InferTypes.FIRST_KNOWN, OperandTypes.ANY_ANY);
    }

    private static SqlBinaryOperator predicate(String name) {
        return new SqlBinaryOperator(name, SqlKind.OTHER, OTHER_OPERATOR_PRECEDENCE, true,
                ReturnTypes.BOOLEAN_NULLABLE, InferTypes.FIRST_KNOWN, OperandTypes.ANY_ANY);
    }

}
