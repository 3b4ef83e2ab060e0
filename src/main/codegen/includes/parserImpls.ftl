<#--
  Veil's grammar extensions to Calcite's parser (see config.fmpp). Every statement form here is tried before
  Calcite's own (statementParserMethods come first in SqlStmt), so INSERT / UPDATE / DELETE in both dialects and
  top-level queries go through these productions and come out as the dev.veil.analysis.parser.Veil* nodes.
-->

/** INSERT or REPLACE, PostgreSQL and MySQL forms. */
SqlNode VeilInsert() :
{
    final Span s;
    boolean replace = false;
    boolean ignore = false;
    final SqlIdentifier target;
    SqlIdentifier alias = null;
    SqlNodeList columns = null;
    SqlNode source = null;
    VeilInsert.Conflict conflict = null;
    SqlNodeList returning = null;
    SqlIdentifier rowAlias = null;
    final List<SqlNode> setTargets = new ArrayList<SqlNode>();
    final List<SqlNode> setValues = new ArrayList<SqlNode>();
}
{
    ( <INSERT> | <REPLACE> { replace = true; } ) { s = span(); }
    ( <LOW_PRIORITY> | <DELAYED> | <IGNORE> { ignore = true; } )*
    [ <INTO> ]
    target = CompoundTableIdentifier()
    [ [ <AS> ] alias = SimpleIdentifier() ]
    [
        LOOKAHEAD(2) <LPAREN> <RPAREN> { columns = new SqlNodeList(new ArrayList<SqlNode>(), getPos()); }
    |
        LOOKAHEAD(2) columns = ParenthesizedSimpleIdentifierList()
    ]
    // PostgreSQL's OVERRIDING {SYSTEM | USER} VALUE only decides whether an identity column takes the given value.
    [ <OVERRIDING> ( <SYSTEM> | <USER> ) <VALUE> ]
    (
        <DEFAULT_> <VALUES>
    |
        // MySQL's VALUES (), (): rows of column defaults, like DEFAULT VALUES.
        LOOKAHEAD(3) <VALUES> <LPAREN> <RPAREN> ( <COMMA> <LPAREN> <RPAREN> )*
    |
        <SET> VeilAssignment(setTargets, setValues) ( <COMMA> VeilAssignment(setTargets, setValues) )* {
            columns = new SqlNodeList(setTargets, s.pos());
            source = SqlStdOperatorTable.VALUES.createCall(s.pos(),
                SqlStdOperatorTable.ROW.createCall(s.pos(), setValues));
        }
    |
        source = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
    )
    // MySQL 8's row alias (VALUES (…) AS new): new.c in ON DUPLICATE KEY UPDATE means what excluded.c means.
    [
        <AS>
        (
            rowAlias = SimpleIdentifier()
        |
            <NEW> { rowAlias = new SqlIdentifier("new", getPos()); }
        )
    ]
    [ conflict = VeilOnConflict() ]
    [ returning = VeilReturning() ]
    {
        if (rowAlias != null) {
            if (conflict == null) {
                throw new ParseException("a row alias without ON DUPLICATE KEY UPDATE");
            }
            conflict = VeilParserSupport.rowAliasAsExcluded(conflict, rowAlias.getSimple());
        }
        return new VeilInsert(s.end(this), replace, ignore, target, alias, columns, source, conflict, returning);
    }
}

/** ON CONFLICT … DO NOTHING | DO UPDATE SET …, or ON DUPLICATE KEY UPDATE …. */
VeilInsert.Conflict VeilOnConflict() :
{
    final List<SqlNode> targets = new ArrayList<SqlNode>();
    final List<SqlNode> values = new ArrayList<SqlNode>();
    final List<SqlNode> ignored = new ArrayList<SqlNode>();
    SqlNode where = null;
    boolean nothing = false;
}
{
    <ON>
    (
        <CONFLICT>
        [
            <LPAREN> AddExpression(ignored, ExprContext.ACCEPT_NON_QUERY)
            ( <COMMA> AddExpression(ignored, ExprContext.ACCEPT_NON_QUERY) )* <RPAREN>
            [ Where() ]
        |
            <ON> <CONSTRAINT> SimpleIdentifier()
        ]
        <DO>
        (
            <NOTHING> { nothing = true; }
        |
            <UPDATE> <SET> VeilAssignment(targets, values) ( <COMMA> VeilAssignment(targets, values) )*
            [ where = Where() ]
        )
    |
        <DUPLICATE> <KEY> <UPDATE>
        VeilAssignment(targets, values) ( <COMMA> VeilAssignment(targets, values) )*
    )
    {
        return new VeilInsert.Conflict(nothing, new SqlNodeList(targets, getPos()),
            new SqlNodeList(values, getPos()), where);
    }
}

/**
 * {@code column = expression | DEFAULT}. MySQL's {@code VALUES(column)} (the value the INSERT tried to write) is
 * read as PostgreSQL's {@code excluded.column}, which means the same.
 */
void VeilAssignment(List<SqlNode> targets, List<SqlNode> values) :
{
    SqlIdentifier id;
    final SqlIdentifier inserted;
    final SqlNode e;
    final List<SqlNode> ids = new ArrayList<SqlNode>();
    final List<SqlNode> exprs = new ArrayList<SqlNode>();
}
{
    (
        // PostgreSQL's (a, b) = ([ROW] (x, y)): one assignment per pair. A sub-query on the right, which
        // would assign several columns from one row, is not read (the statement then fails closed).
        <LPAREN> id = CompoundIdentifier() { ids.add(id); }
        ( <COMMA> id = CompoundIdentifier() { ids.add(id); } )* <RPAREN>
        <EQ> [ <ROW> ] <LPAREN>
        VeilAssignedValue(exprs) ( <COMMA> VeilAssignedValue(exprs) )*
        <RPAREN> {
            if (ids.size() != exprs.size()) {
                throw new ParseException("a multiple-column assignment needs one value per column");
            }
            targets.addAll(ids);
            values.addAll(exprs);
        }
    |
        id = CompoundIdentifier() { targets.add(id); }
        <EQ>
        (
            <DEFAULT_> { values.add(SqlStdOperatorTable.DEFAULT.createCall(getPos())); }
        |
            LOOKAHEAD(3) <VALUES> <LPAREN> inserted = SimpleIdentifier() <RPAREN> {
                values.add(new SqlIdentifier(java.util.Arrays.asList("excluded", inserted.getSimple()), getPos()));
            }
        |
            e = Expression(ExprContext.ACCEPT_SUB_QUERY) { values.add(e); }
        )
    )
}

void VeilAssignedValue(List<SqlNode> values) :
{
}
{
    <DEFAULT_> { values.add(SqlStdOperatorTable.DEFAULT.createCall(getPos())); }
|
    AddExpression(values, ExprContext.ACCEPT_NON_QUERY)
}

SqlNodeList VeilReturning() :
{
    final List<SqlNode> list = new ArrayList<SqlNode>();
    final Span s;
}
{
    <RETURNING> { s = span(); }
    AddSelectItem(list) ( <COMMA> AddSelectItem(list) )*
    { return new SqlNodeList(list, s.end(this)); }
}

/** UPDATE; the target may be a join (MySQL multi-table form); FROM is PostgreSQL's. */
SqlNode VeilUpdate() :
{
    final Span s;
    final SqlNode target;
    final List<SqlNode> targets = new ArrayList<SqlNode>();
    final List<SqlNode> values = new ArrayList<SqlNode>();
    SqlNode from = null;
    SqlNode where = null;
    SqlNodeList returning = null;
}
{
    <UPDATE> { s = span(); }
    ( <LOW_PRIORITY> | <IGNORE> )*
    [ <ONLY> ]
    target = FromClause()
    <SET> VeilAssignment(targets, values) ( <COMMA> VeilAssignment(targets, values) )*
    [ <FROM> from = FromClause() ]
    [
        // WHERE CURRENT OF cursor: the row the cursor stands on.
        LOOKAHEAD(2) <WHERE> <CURRENT> <OF> SimpleIdentifier()
    |
        where = Where()
    ]
    [ OrderBy(true) ]
    [ <LIMIT> UnsignedNumericLiteralOrParam() ]
    [ returning = VeilReturning() ]
    {
        return new VeilUpdate(s.end(this), target, new SqlNodeList(targets, s.pos()),
            new SqlNodeList(values, s.pos()), from, where, returning);
    }
}

/** DELETE: PostgreSQL's USING, MySQL's multi-table forms, ORDER BY / LIMIT. */
SqlNode VeilDelete() :
{
    final Span s;
    final List<SqlNode> targets = new ArrayList<SqlNode>();
    SqlIdentifier id;
    final SqlNode from;
    SqlNode using = null;
    SqlNode where = null;
    SqlNodeList returning = null;
}
{
    <DELETE> { s = span(); }
    ( <LOW_PRIORITY> | <QUICK> | <IGNORE> )*
    (
        <FROM> [ <ONLY> ] from = FromClause()
        [ <USING> using = FromClause() ]
    |
        id = CompoundIdentifier() { targets.add(id); } [ <DOT> <STAR> ]
        ( <COMMA> id = CompoundIdentifier() { targets.add(id); } [ <DOT> <STAR> ] )*
        <FROM> from = FromClause()
    )
    [
        // WHERE CURRENT OF cursor: the row the cursor stands on.
        LOOKAHEAD(2) <WHERE> <CURRENT> <OF> SimpleIdentifier()
    |
        where = Where()
    ]
    [ OrderBy(true) ]
    [ <LIMIT> UnsignedNumericLiteralOrParam() ]
    [ returning = VeilReturning() ]
    {
        return new VeilDelete(s.end(this), new SqlNodeList(targets, s.pos()), from, using, where, returning);
    }
}

/**
 * EXPLAIN [ANALYZE] [VERBOSE] [(options)] statement, and Calcite's EXPLAIN PLAN FOR. Options in parentheses
 * are read word by word: only ANALYZE (unless followed by the word false or off) changes what the statement does.
 * "ANALYZE 0" counts as on: numbers are literals, which the cache fingerprint does not distinguish.
 */
SqlNode VeilExplain() :
{
    final Span s;
    boolean analyze = false;
    final SqlNode stmt;
    final SqlIdentifier table;
}
{
    ( <EXPLAIN> | <DESCRIBE> | <DESC> ) { s = span(); }
    [
        LOOKAHEAD(2) <LPAREN> {
            int depth = 1;
            String previous = "";
            while (depth > 0 && getToken(1).kind != EOF) {
                Token t = getNextToken();
                String w = t.image.toUpperCase(Locale.ROOT);
                if (t.kind == LPAREN) {
                    depth++;
                } else if (t.kind == RPAREN) {
                    depth--;
                } else if (previous.equals("ANALYZE") && (w.equals("FALSE") || w.equals("OFF"))) {
                    analyze = false;
                } else if (w.equals("ANALYZE")) {
                    analyze = true;
                }
                previous = w;
            }
        }
    ]
    ( <ANALYZE> { analyze = true; } | <VERBOSE> | <EXTENDED> | <PLAN> <FOR> | <FORMAT> <EQ> Identifier() )*
    (
        // MySQL's EXPLAIN / DESCRIBE table [column]: the table's columns, which are metadata.
        LOOKAHEAD( CompoundIdentifier() [ SimpleIdentifier() ] <EOF> )
        table = CompoundIdentifier() [ SimpleIdentifier() ]
        {
            return new VeilCommand(s.end(this), StatementKind.READ, java.util.Arrays.asList("DESCRIBE"),
                java.util.Arrays.asList(table), new ArrayList<SqlNode>(), null);
        }
    |
        stmt = SqlStmt()
    )
    {
        return new VeilExplain(s.end(this), analyze, stmt);
    }
}

/** PostgreSQL COPY (query) TO … / COPY table [(columns)] {FROM | TO} …. */
SqlNode VeilCopy() :
{
    final Span s;
    SqlNode query = null;
    SqlIdentifier table = null;
    SqlNodeList columns = null;
    boolean into;
    VeilCopy.Endpoint endpoint;
}
{
    <COPY> { s = span(); }
    (
        <LPAREN>
        ( query = VeilInsert() | query = VeilUpdate() | query = VeilDelete() | query = VeilQueryStatement() )
        <RPAREN>
    |
        table = CompoundTableIdentifier()
        [ columns = ParenthesizedSimpleIdentifierList() ]
    )
    ( <TO> { into = false; } | <FROM> { into = true; } )
    {
        String w = getToken(1).image.toUpperCase(Locale.ROOT);
        if (w.equals("STDIN")) {
            endpoint = VeilCopy.Endpoint.STDIN;
        } else if (w.equals("STDOUT")) {
            endpoint = VeilCopy.Endpoint.STDOUT;
        } else if (w.equals("PROGRAM")) {
            endpoint = VeilCopy.Endpoint.PROGRAM;
        } else {
            endpoint = VeilCopy.Endpoint.FILE;
        }
        VeilParserSupport.rest(this, new ArrayList<String>());
        return new VeilCopy(s.end(this), query, table, columns, into, endpoint);
    }
}

/** BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK [TO SAVEPOINT] / ABORT / SAVEPOINT / RELEASE. */
SqlNode VeilTransaction() :
{
    final Span s;
    final List<String> words = new ArrayList<String>();
}
{
    (
        <BEGIN> { words.add("BEGIN"); }
    |   <START> <TRANSACTION> { words.add("START"); words.add("TRANSACTION"); }
    |   <COMMIT> { words.add("COMMIT"); }
    |   <END> { words.add("END"); }
    |   <ROLLBACK> { words.add("ROLLBACK"); }
    |   <ABORT> { words.add("ABORT"); }
    |   <SAVEPOINT> { words.add("SAVEPOINT"); }
    |   <RELEASE> { words.add("RELEASE"); }
    |   LOOKAHEAD(2) <PREPARE> <TRANSACTION> { words.add("PREPARE"); words.add("TRANSACTION"); }
    )
    { s = span(); }
    {
        VeilParserSupport.transactionTail(this, words);
        return new VeilCommand(s.end(this), StatementKind.TRANSACTION_CONTROL, words,
            new ArrayList<SqlIdentifier>(), new ArrayList<SqlNode>(), null);
    }
}

/**
 * SET in both dialects. Role, authorization and password changes are PRIVILEGE; SET TRANSACTION is transaction
 * control; everything else is a session setting whose value expressions are kept, because MySQL lets
 * {@code SET @v = (SELECT …)} read data into a variable.
 */
SqlNode VeilSet() :
{
    final Span s;
    final List<String> words = new ArrayList<String>();
    final List<SqlNode> values = new ArrayList<SqlNode>();
    StatementKind kind = StatementKind.SESSION;
    Token setToken;
}
{
    <SET> { s = span(); words.add("SET"); setToken = token; }
    (
        LOOKAHEAD({ VeilSetSupport.isSpecial(this) }) {
            kind = VeilSetSupport.specialKind(this);
            VeilParserSupport.rest(this, words);
        }
    |
        VeilSetItem(words, values)
        (
            <COMMA>
            (
                // MariaDB Connector/J ends its connection SET list with "names utf8mb4 collate …"
                LOOKAHEAD({ VeilParserSupport.namesItemFollows(this) }) { VeilParserSupport.namesItem(this, words); }
            |
                LOOKAHEAD(VeilSetTarget() ( <EQ> | <TO> | <COLON> | <OPERATOR> )) VeilSetItem(words, values)
            |
                VeilSetValue(values)
            )
        )*
    )
    {
        kind = VeilSetSupport.assignmentKind(setToken, token, kind);
        return new VeilCommand(s.end(this), kind, words, new ArrayList<SqlIdentifier>(), values, null);
    }
}

void VeilSetTarget() :
{
}
{
    [ <GLOBAL> | <SESSION> | <LOCAL> | <PERSIST> ]
    (
        <SYSTEM_VARIABLE>
    |
        <USER_VARIABLE>
    |
        CompoundIdentifier()
    )
}

void VeilSetItem(List<String> words, List<SqlNode> values) :
{
}
{
    VeilSetTarget() { words.add(token.image.toUpperCase(Locale.ROOT)); }
    ( <EQ> | <TO> | <COLON> <EQ> | <OPERATOR> <LPAREN> VeilAssignName() <RPAREN> )
    VeilSetValue(values)
}

/** ASSIGN, the name CalciteText gives MySQL's {@code :=}. */
void VeilAssignName() :
{
    final SqlIdentifier name;
}
{
    name = SimpleIdentifier() {
        if (VeilOperators.named(name.getSimple()) != VeilOperators.ASSIGN) {
            throw new ParseException("expected := in SET");
        }
    }
}

void VeilSetValue(List<SqlNode> values) :
{
    final SqlNode e;
}
{
    <ON> { values.add(SqlLiteral.createCharString("on", getPos())); }
|   <DEFAULT_> { values.add(SqlStdOperatorTable.DEFAULT.createCall(getPos())); }
|   e = Expression(ExprContext.ACCEPT_SUB_QUERY) { values.add(e); }
}

/**
 * Session, maintenance and other utility statements (SHOW, USE, RESET, LOCK, FLUSH, KILL, cursor FETCH / MOVE /
 * CLOSE, DO, EXECUTE, LOAD DATA …), classified by their words in VeilSetSupport.utilityKind. Those that can run
 * anything (DO, EXECUTE) are PROCEDURAL; those that return rows from elsewhere (FETCH, HANDLER) keep Unknown
 * lineage.
 */
SqlNode VeilUtility() :
{
    final Span s;
    final List<String> words = new ArrayList<String>();
}
{
    (
        <SHOW>
    |   <USE>
    |   <RESET>
    |   <DISCARD>
    |   <LISTEN>
    |   <UNLISTEN>
    |   <NOTIFY>
    |   <DEALLOCATE>
    |   <ANALYZE>
    |   <VACUUM>
    |   <CHECKPOINT>
    |   <LOCK>
    |   <UNLOCK>
    |   <FLUSH>
    |   <KILL>
    |   <OPTIMIZE>
    |   <REPAIR>
    |   <CHECK>
    |   <CHECKSUM>
    |   <REINDEX>
    |   <CLUSTER>
    |   <REFRESH>
    |   <REASSIGN>
    |   <PURGE>
    |   <INSTALL>
    |   <UNINSTALL>
    |   <XA>
    |   <HANDLER>
    |   <FETCH>
    |   <MOVE>
    |   <CLOSE>
    |   <LOAD>
    |   <DO>
    |   <EXECUTE>
    |   <STOP>
    |   <HELP>
    |   LOOKAHEAD(2) <GET> <DIAGNOSTICS>
    )
    {
        s = span();
        words.add(token.image.toUpperCase(Locale.ROOT));
        VeilParserSupport.rest(this, words);
        VeilParserSupport.notAnalyzeOfAStatement(words);
        return new VeilCommand(s.end(this), VeilSetSupport.utilityKind(words), words,
            new ArrayList<SqlIdentifier>(), new ArrayList<SqlNode>(), null);
    }
}

/** PREPARE name [(types)] AS statement (PostgreSQL): at least SESSION, and as dangerous as the statement. */
SqlNode VeilPrepare() :
{
    final Span s;
    final SqlNode stmt;
}
{
    <PREPARE> { s = span(); } SimpleIdentifier()
    (
        // MySQL's PREPARE name FROM 'text' | @var: dynamic SQL, whatever the text holds.
        <FROM> ( StringLiteral() | <USER_VARIABLE> ) {
            return new VeilCommand(s.end(this), StatementKind.PROCEDURAL, java.util.Arrays.asList("PREPARE"),
                new ArrayList<SqlIdentifier>(), new ArrayList<SqlNode>(), null);
        }
    |
        [ <LPAREN> DataType() ( <COMMA> DataType() )* <RPAREN> ]
        <AS> stmt = SqlStmt()
    )
    {
        return new VeilCommand(s.end(this), StatementKind.SESSION, java.util.Arrays.asList("PREPARE"),
            new ArrayList<SqlIdentifier>(), new ArrayList<SqlNode>(), stmt);
    }
}

/** DECLARE name … CURSOR … FOR query (PostgreSQL): reads nothing yet; FETCH returns its rows later. */
SqlNode VeilDeclareCursor() :
{
    final Span s;
    final SqlNode query;
}
{
    <DECLARE> { s = span(); } SimpleIdentifier()
    {
        while (getToken(1).kind != FOR && getToken(1).kind != EOF) {
            getNextToken();
        }
    }
    <FOR> query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
    {
        return new VeilCommand(s.end(this), StatementKind.READ, java.util.Arrays.asList("DECLARE"),
            new ArrayList<SqlIdentifier>(), new ArrayList<SqlNode>(), query);
    }
}

/**
 * CREATE / ALTER / DROP / TRUNCATE / RENAME / COMMENT / GRANT / REVOKE. Only CREATE … AS query is parsed
 * further (its query decides what data the new table holds); the rest is classified by its words.
 */
SqlNode VeilDdl() :
{
    final Span s;
    final List<String> words = new ArrayList<String>();
    final List<SqlIdentifier> objects = new ArrayList<SqlIdentifier>();
    SqlNode query = null;
}
{
    ( <CREATE> | <ALTER> | <DROP> | <TRUNCATE> | <RENAME> | <COMMENT> | <GRANT> | <REVOKE> )
    {
        s = span();
        words.add(token.image.toUpperCase(Locale.ROOT));
        VeilParserSupport.ddlWords(this, words, objects);
    }
    [
        query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
        { VeilParserSupport.rest(this, words); }
    ]
    {
        return new VeilCommand(s.end(this), VeilParserSupport.ddlKind(words), words, objects,
            new ArrayList<SqlNode>(), query);
    }
}

/**
 * WITH whose items may also be data-modifying statements (PostgreSQL's INSERT / UPDATE / DELETE … RETURNING in
 * parentheses); otherwise Calcite's WithList.
 */
SqlNodeList VeilWithList() :
{
    final Span s;
    final List<SqlNode> list = new ArrayList<SqlNode>();
    boolean recursive = false;
}
{
    <WITH> [ <RECURSIVE> { recursive = true; } ] { s = span(); }
    VeilWithItem(list, SqlLiteral.createBoolean(recursive, getPos()))
    ( <COMMA> VeilWithItem(list, SqlLiteral.createBoolean(recursive, getPos())) )*
    { return new SqlNodeList(list, s.end(this)); }
}

void VeilWithItem(List<SqlNode> list, SqlLiteral recursive) :
{
    final SqlIdentifier id;
    SqlNodeList columnList = null;
    SqlNode definition;
}
{
    id = SimpleIdentifier()
    [ columnList = ParenthesizedSimpleIdentifierList() ]
    <AS>
    (
        LOOKAHEAD(2) <LPAREN> ( definition = VeilInsert() | definition = VeilUpdate() | definition = VeilDelete() )
        <RPAREN>
    |
        definition = ParenthesizedExpression(ExprContext.ACCEPT_QUERY)
    )
    { list.add(new SqlWithItem(id.getParserPosition(), id, columnList, definition, recursive)); }
}

/**
 * A top-level query, with PostgreSQL's DISTINCT ON and the row-locking clauses of both dialects. For DISTINCT
 * ON the expressions are read here and SELECT is put back in front of the token stream, so that Calcite's
 * own SELECT production parses the rest. Without DISTINCT: PostgreSQL lets DISTINCT ON order by columns it does not
 * select, plain DISTINCT does not, and dropping it only changes how many rows come back, never their lineage.
 */
SqlNode VeilQueryStatement() :
{
    final Span s;
    SqlNode query;
    SqlNodeList distinctOn = null;
    final List<SqlNode> onList = new ArrayList<SqlNode>();
    final StringBuilder locking = new StringBuilder();
    VeilQuery.Into into = null;
    SqlIdentifier intoTable = null;
    SqlNodeList withList;
    SqlNode dml;
}
{
    { s = span(); }
    (
        // WITH in front of INSERT / UPDATE / DELETE, or with data-modifying items (PostgreSQL), or both.
        withList = VeilWithList()
        (
            ( dml = VeilInsert() | dml = VeilUpdate() | dml = VeilDelete() ) {
                return new SqlWith(withList.getParserPosition(), withList, dml);
            }
        |
            query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY) {
                if (query instanceof SqlOrderBy) {
                    SqlOrderBy ob = (SqlOrderBy) query;
                    query = new SqlOrderBy(ob.getParserPosition(), new SqlWith(withList.getParserPosition(),
                        withList, ob.query), ob.orderList, ob.offset, ob.fetch);
                } else {
                    query = new SqlWith(withList.getParserPosition(), withList, query);
                }
            }
        )
    |
        LOOKAHEAD(3) <SELECT> <DISTINCT> <ON> <LPAREN>
        AddExpression(onList, ExprContext.ACCEPT_NON_QUERY)
        ( <COMMA> AddExpression(onList, ExprContext.ACCEPT_NON_QUERY) )*
        <RPAREN> {
            distinctOn = new SqlNodeList(onList, s.end(this));
            Token select = Token.newToken(SELECT);
            select.kind = SELECT;
            select.image = "SELECT";
            select.beginLine = token.beginLine;
            select.beginColumn = token.beginColumn;
            select.endLine = token.endLine;
            select.endColumn = token.endColumn;
            select.next = token.next;
            token.next = select;
            jj_ntk = -1;
        }
        query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
    |
        query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
    )
    (
        <FOR> { locking.append(locking.length() == 0 ? "FOR" : " FOR"); }
        (
            <UPDATE> { locking.append(" UPDATE"); }
        |   <SHARE> { locking.append(" SHARE"); }
        |   <NO> <KEY> <UPDATE> { locking.append(" NO KEY UPDATE"); }
        |   <KEY> <SHARE> { locking.append(" KEY SHARE"); }
        )
        [ <OF> CompoundIdentifier() ( <COMMA> CompoundIdentifier() )* ]
        [ <NOWAIT> | <SKIP_> <LOCKED> ]
    |
        <LOCK> <IN> <SHARE> <MODE> { locking.append("LOCK IN SHARE MODE"); }
    |
        // SELECT … INTO (CalciteText moves an INTO before FROM to the end of the statement).
        <INTO>
        (
            ( <OUTFILE> | <DUMPFILE> ) StringLiteral() {
                into = VeilQuery.Into.FILE;
                VeilParserSupport.rest(this, new ArrayList<String>());
            }
        |
            <USER_VARIABLE> ( <COMMA> <USER_VARIABLE> )* { into = VeilQuery.Into.VARIABLES; }
        |
            // PostgreSQL's INTO [TEMP] [TABLE] name. A bare name is taken as a table in MySQL too: there it could
            // only be a stored-program variable, and stored programs are not analysed; DDL is the safer reading.
            [ <TEMPORARY> | <TEMP> | <UNLOGGED> ] [ <TABLE> ] intoTable = CompoundIdentifier()
        )
    )*
    {
        if (intoTable != null) {
            // PostgreSQL's SELECT … INTO table is CREATE TABLE table AS SELECT ….
            return new VeilCommand(s.end(this), StatementKind.DDL, java.util.Arrays.asList("CREATE", "TABLE"),
                java.util.Arrays.asList(intoTable), new ArrayList<SqlNode>(),
                distinctOn == null ? query : new VeilQuery(s.end(this), query, distinctOn, null, null));
        }
        if (distinctOn == null && locking.length() == 0 && into == null) {
            return query;
        }
        return new VeilQuery(s.end(this), query, distinctOn,
            locking.length() == 0 ? null : locking.toString(), into);
    }
}

/**
 * MySQL's full-text MATCH (columns) AGAINST (expr [modifier]): a relevance score computed from the columns and
 * the search expression. The search modifier (IN BOOLEAN MODE …) only changes how the score is computed.
 */
SqlNode VeilMatchAgainst() :
{
    final Span s;
    final List<SqlNode> args = new ArrayList<SqlNode>();
}
{
    <MATCH> { s = span(); } <LPAREN>
    AddExpression(args, ExprContext.ACCEPT_NON_QUERY) ( <COMMA> AddExpression(args, ExprContext.ACCEPT_NON_QUERY) )*
    <RPAREN> <AGAINST> <LPAREN>
    AddExpression(args, ExprContext.ACCEPT_SUB_QUERY)
    {
        while (getToken(1).kind != RPAREN && getToken(1).kind != EOF) {
            getNextToken();
        }
    }
    <RPAREN>
    { return VeilOperators.MATCH_AGAINST.createCall(s.end(this), args); }
}

/** {@code @@system_variable} and {@code @user_variable} in expressions (MySQL). */
SqlNode VeilVariable() :
{
}
{
    <SYSTEM_VARIABLE> {
        return VeilOperators.SYSTEM_VARIABLE.createCall(getPos(),
            SqlLiteral.createCharString(token.image.substring(2), getPos()));
    }
|
    <USER_VARIABLE> {
        return VeilOperators.USER_VARIABLE.createCall(getPos(),
            SqlLiteral.createCharString(token.image.substring(1), getPos()));
    }
}

/**
 * PostgreSQL's {@code expr::type}, read as the standard CAST it means (Calcite's own INFIX_CAST operator cannot
 * take a parameter: {@code $1::int4}).
 */
void VeilInfixCast(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlDataTypeSpec dt;
}
{
    <INFIX_CAST> {
        checkNonQueryExpression(exprContext);
    }
    dt = VeilCastType() {
        // "::" binds tighter than any other operator: it casts only the operand just before it
        // (a = $1::int4 compares a with the cast parameter).
        Object last = list.get(list.size() - 1);
        if (last instanceof SqlNode) {
            list.remove(list.size() - 1);
            list.add(SqlStdOperatorTable.CAST.createCall(s.pos(), (SqlNode) last, dt));
        } else {
            SqlNode operand = SqlParserUtil.toTree(list);
            list.clear();
            list.add(SqlStdOperatorTable.CAST.createCall(s.pos(), operand, dt));
        }
    }
}

/** A type after "::", with PostgreSQL's array suffix ({@code int[]}, {@code text[][]}). */
SqlDataTypeSpec VeilCastType() :
{
    SqlDataTypeSpec dt;
}
{
    dt = DataType()
    // Modifiers of a type Calcite does not know (bit(4), varbit(8)): they only constrain the value.
    [ <LPAREN> UnsignedNumericLiteral() ( <COMMA> UnsignedNumericLiteral() )* <RPAREN> ]
    (
        <LBRACKET> [ UnsignedNumericLiteral() ] <RBRACKET> {
            dt = new SqlDataTypeSpec(new SqlCollectionTypeNameSpec(dt.getTypeNameSpec(), SqlTypeName.ARRAY,
                getPos()), getPos());
        }
    )*
    { return dt; }
}

/** JSON, containment and regular-expression operators of both dialects, and MySQL's {@code <=>}. */
void VeilBinaryOperator(List<Object> list, ExprContext exprContext, Span s) :
{
    final SqlOperator op;
}
{
    (
        <LAMBDA> { op = VeilOperators.JSON_GET; }
    |   <JSON_GET_TEXT> { op = VeilOperators.JSON_GET_TEXT; }
    |   <JSON_PATH> { op = VeilOperators.JSON_PATH; }
    |   <JSON_PATH_TEXT> { op = VeilOperators.JSON_PATH_TEXT; }
    |   <CONTAINS_OP> { op = VeilOperators.CONTAINS; }
    |   <CONTAINED_OP> { op = VeilOperators.CONTAINED_BY; }
    |   <OVERLAP_OP> { op = VeilOperators.OVERLAPS; }
    |   <REGEXP> { op = VeilOperators.REGEXP; }
    |   LOOKAHEAD(3) <AT> <TIME> <ZONE> { op = VeilOperators.AT_TIME_ZONE; }
    |   <NULL_SAFE_EQUAL> { op = SqlLibraryOperators.NULL_SAFE_EQUAL; }
    |   <OPERATOR> <LPAREN> op = VeilNamedOperator() <RPAREN>
    )
    {
        checkNonQueryExpression(exprContext);
        list.add(new SqlParserUtil.ToTreeListItem(op, getPos()));
    }
    AddExpression2b(list, ExprContext.ACCEPT_SUB_QUERY)
}

/** The operator inside psql's {@code OPERATOR(pg_catalog.~)}. */
SqlOperator VeilNamedOperator() :
{
    final SqlIdentifier name;
    SqlOperator op;
}
{
    <TILDE> { return SqlStdOperatorTable.POSIX_REGEX_CASE_SENSITIVE; }
|   <EQ> { return SqlStdOperatorTable.EQUALS; }
|   <NE> { return SqlStdOperatorTable.NOT_EQUALS; }
|   <LT> { return SqlStdOperatorTable.LESS_THAN; }
|   <GT> { return SqlStdOperatorTable.GREATER_THAN; }
|   name = SimpleIdentifier()
    (
        // A schema-qualified operator: OPERATOR(pg_catalog.~).
        <DOT> op = VeilNamedOperator() { return op; }
    |
        {
            // The names CalciteText gives PostgreSQL's ? ?| ?& @? @@ and MySQL's := (which Calcite's lexer
            // cannot read).
            op = VeilOperators.named(name.getSimple());
            if (op == null) {
                throw new ParseException("unknown operator " + name.getSimple());
            }
            return op;
        }
    )
}

<DEFAULT, DQID, BTID> TOKEN :
{
    < SYSTEM_VARIABLE: "@@" (<LETTER>|<DIGIT>|".")+ >
|   < USER_VARIABLE: "@" (<LETTER>|<DIGIT>|".")+ >
}

/*
 * MySQL SELECT modifiers that only steer the server's execution (caching, buffering, priority, found-rows
 * counting). Dropping them changes neither what a statement reads nor what it returns. Left as words, Calcite
 * would read "SELECT SQL_CALC_FOUND_ROWS id" as column SQL_CALC_FOUND_ROWS aliased "id".
 */
<DEFAULT, DQID, BTID> SKIP :
{
    "SQL_CALC_FOUND_ROWS"
|   "SQL_NO_CACHE"
|   "SQL_CACHE"
|   "SQL_BUFFER_RESULT"
|   "SQL_SMALL_RESULT"
|   "SQL_BIG_RESULT"
|   "HIGH_PRIORITY"
}
