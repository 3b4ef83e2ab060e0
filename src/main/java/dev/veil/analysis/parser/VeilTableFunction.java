package dev.veil.analysis.parser;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperatorBinding;
import org.apache.calcite.sql.SqlTableFunction;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlReturnTypeInference;
import org.apache.calcite.sql.type.SqlTypeName;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A PostgreSQL set-returning function used in FROM. Its columns are typed VARCHAR, except one taken from an
 * argument ({@code typedFrom}, e.g. generate_series returns its first argument's type); the types only serve
 * validation, never lineage.
 */
final class VeilTableFunction extends SqlFunction implements SqlTableFunction {
    private final List<String> columns;
    private final int typedFrom;

    /** @param columns empty for a single column named after the function */
    VeilTableFunction(String name, List<String> columns, int typedFrom) {
        super(name.toUpperCase(Locale.ROOT), SqlKind.OTHER_FUNCTION, ReturnTypes.CURSOR, null, OperandTypes.VARIADIC,
                SqlFunctionCategory.USER_DEFINED_TABLE_FUNCTION);
        this.columns = columns.isEmpty() ? List.of(name) : columns;
        this.typedFrom = typedFrom;
    }

    /** The same function with PostgreSQL's WITH ORDINALITY column after its own (see VeilOperators). */
    VeilTableFunction withOrdinality(String twinName) {
        List<String> twin = new ArrayList<>(columns);
        twin.add("ordinality");
        return new VeilTableFunction(twinName, twin, typedFrom);
    }

    boolean singleColumn() {
        return columns.size() == 1;
    }

    @Override
    public SqlReturnTypeInference getRowTypeInference() {
        return this::rowType;
    }

    private RelDataType rowType(SqlOperatorBinding binding) {
        RelDataTypeFactory f = binding.getTypeFactory();
        RelDataTypeFactory.Builder b = f.builder();
        for (int i = 0; i < columns.size(); i++) {
            RelDataType type = i == 0 && typedFrom >= 0 && binding.getOperandCount() > typedFrom
                    ? binding.getOperandType(typedFrom)
                    : f.createSqlType(SqlTypeName.VARCHAR);
            b.add(columns.get(i), f.createTypeWithNullability(type, true));
        }
        return b.build();
    }
}
