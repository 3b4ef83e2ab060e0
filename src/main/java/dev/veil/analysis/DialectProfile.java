package dev.veil.analysis;

import dev.veil.analysis.parser.VeilOperators;
import dev.veil.analysis.parser.VeilSqlParserImpl;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.config.Lex;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.SqlSyntax;
import org.apache.calcite.sql.fun.SqlLibrary;
import org.apache.calcite.sql.fun.SqlLibraryOperatorTableFactory;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlDelegatingConformance;
import org.apache.calcite.sql.validate.SqlNameMatcher;
import org.apache.calcite.sql.validate.SqlNameMatchers;
import org.apache.calcite.sql.validate.SqlValidator;
import org.checkerframework.checker.nullness.qual.Nullable;

import java.util.List;
import java.util.Properties;

/**
 * How Calcite is configured for one dialect: lexical rules of the parser, name matching, and the function
 * library. Built once per dialect and shared (every part is immutable).
 *
 * <p>PostgreSQL folds unquoted names to lower case and matches exactly; MySQL keeps names as written and matches
 * them ignoring case. Function names are matched ignoring case in both (with exact matching, {@code concat(..)}
 * finds no operator), and unknown functions are accepted leniently: their result is derived from their arguments.
 */
public final class DialectProfile {
    private final Dialect dialect;
    private final SqlParser.Config parserConfig;
    private final SqlOperatorTable operators;
    private final CalciteConnectionConfig connectionConfig;

    private DialectProfile(Dialect dialect) {
        this.dialect = dialect;
        SqlParser.Config base = SqlParser.config().withParserFactory(VeilSqlParserImpl.FACTORY)
                .withConformance(SqlConformanceEnum.BABEL);
        Properties props = new Properties();
        SqlLibrary library;
        if (dialect == Dialect.POSTGRESQL) {
            parserConfig = base.withConformance(PostgresConformance.INSTANCE).withQuoting(Quoting.DOUBLE_QUOTE).withUnquotedCasing(Casing.TO_LOWER)
                    .withQuotedCasing(Casing.UNCHANGED).withCaseSensitive(true);
            props.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "true");
            library = SqlLibrary.POSTGRESQL;
        } else {
            parserConfig = base.withLex(Lex.MYSQL).withConformance(SqlConformanceEnum.BABEL);
            props.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
            library = SqlLibrary.MYSQL;
        }
        this.connectionConfig = new CalciteConnectionConfigImpl(props);
        this.operators = new CaseInsensitiveOperators(SqlOperatorTables.chain(VeilOperators.table(),
                SqlLibraryOperatorTableFactory.INSTANCE.getOperatorTable(SqlLibrary.STANDARD, library)));
    }

    public static DialectProfile of(Dialect dialect) {
        return new DialectProfile(dialect);
    }

    public Dialect dialect() {
        return dialect;
    }

    public SqlParser.Config parserConfig() {
        return parserConfig;
    }

    public SqlOperatorTable operators() {
        return operators;
    }

    public CalciteConnectionConfig connectionConfig() {
        return connectionConfig;
    }

    public SqlValidator.Config validatorConfig() {
        return SqlValidator.Config.DEFAULT.withIdentifierExpansion(true).withLenientOperatorLookup(true)
                .withConformance(dialect == Dialect.POSTGRESQL ? PostgresConformance.INSTANCE : SqlConformanceEnum.BABEL)
                .withCallRewrite(false);
    }

    /**
     * BABEL without MySQL's loose GROUP BY (select columns neither grouped nor aggregated), which PostgreSQL does
     * not allow either. With it, Calcite's check of such columns fails on a CASE in the select list
     * (GROUP BY 1 over a CASE threw a NullPointerException). The parser accepts PostgreSQL's ROW(…) as a value
     * anywhere ({@code ROW(c.*)::text}), not only where a row of values is expected.
     */
    private static final class PostgresConformance extends SqlDelegatingConformance {
        static final PostgresConformance INSTANCE = new PostgresConformance();

        private PostgresConformance() {
            super(SqlConformanceEnum.BABEL);
        }

        @Override
        public boolean isNonStrictGroupBy() {
            return false;
        }

        @Override
        public boolean allowExplicitRowValueConstructor() {
            return true;
        }
    }

    /** Looks functions and operators up ignoring case, whatever the identifier rules say. */
    private record CaseInsensitiveOperators(SqlOperatorTable delegate) implements SqlOperatorTable {
        private static final SqlNameMatcher LIBERAL = SqlNameMatchers.withCaseSensitive(false);

        @Override
        public void lookupOperatorOverloads(SqlIdentifier opName, @Nullable SqlFunctionCategory category,
                                            SqlSyntax syntax, List<SqlOperator> operatorList, SqlNameMatcher nameMatcher) {
            delegate.lookupOperatorOverloads(opName, category, syntax, operatorList, LIBERAL);
            if (operatorList.isEmpty() && !opName.isSimple()) {
                // pg_catalog.format_type(…): the built-in functions live in every schema's path.
                SqlIdentifier simple = new SqlIdentifier(opName.names.get(opName.names.size() - 1), opName.getParserPosition());
                delegate.lookupOperatorOverloads(simple, category, syntax, operatorList, LIBERAL);
            }
        }

        @Override
        public List<SqlOperator> getOperatorList() {
            return delegate.getOperatorList();
        }
    }
}
