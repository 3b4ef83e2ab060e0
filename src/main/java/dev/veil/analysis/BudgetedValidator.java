package dev.veil.analysis;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.validate.SqlValidatorCatalogReader;
import org.apache.calcite.sql.validate.SqlValidatorImpl;
import org.apache.calcite.sql.validate.SqlValidatorScope;

/**
 * Calcite's validator, checking the analysis's {@link Deadline} where its work grows with the statement: on
 * every expression it types, and on every select item it expands (each expansion walks the whole select list
 * again, so a list of thousands of expressions costs seconds, in validation and again in conversion).
 */
final class BudgetedValidator extends SqlValidatorImpl {
    private final Deadline deadline;
    private final boolean wholeRows;

    /** @param wholeRows whether a FROM item's name can be a value (PostgreSQL's whole-row references) */
    BudgetedValidator(SqlOperatorTable operators, SqlValidatorCatalogReader reader, RelDataTypeFactory typeFactory,
                      Config config, Deadline deadline, boolean wholeRows) {
        super(operators, reader, typeFactory, config);
        this.deadline = deadline;
        this.wholeRows = wholeRows;
    }

    /** The first step after a SELECT's FROM items are validated: whole-row references can be resolved now. */
    @Override
    protected void validateWhereClause(SqlSelect select) {
        if (wholeRows) {
            WholeRowReferences.expand(this, select);
        }
        super.validateWhereClause(select);
    }

    @Override
    public RelDataType deriveType(SqlValidatorScope scope, SqlNode expression) {
        deadline.check();
        return super.deriveType(scope, expression);
    }

    @Override
    public boolean isAggregate(SqlSelect select) {
        deadline.check();
        return super.isAggregate(select);
    }
}
