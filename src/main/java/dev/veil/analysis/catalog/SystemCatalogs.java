package dev.veil.analysis.catalog;

import dev.veil.analysis.Dialect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The system relations drivers, psql and admin tools query (pgjdbc's DatabaseMetaData, psql's \d family,
 * Connector/J and Hibernate schema introspection), with the columns those queries use. Relations that hold
 * secrets (pg_authid, pg_shadow, mysql.user) are deliberately absent: a query on them fails validation and so
 * fails closed. The loader may supply the real definitions instead; then these are not added.
 */
final class SystemCatalogs {
    private static final String[] PG_CATALOG = {
            "pg_namespace: oid oid, nspname name, nspowner oid, nspacl aclitem[]",
            "pg_class: oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, "
                    + "relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4, "
                    + "reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, relkind char, "
                    + "relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, "
                    + "relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, relreplident char, "
                    + "relispartition bool, relacl aclitem[], reloptions text[], relpartbound pg_node_tree",
            "pg_attribute: attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, "
                    + "attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, attstorage char, attalign char, "
                    + "attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, "
                    + "attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, attacl aclitem[], "
                    + "attoptions text[], attfdwoptions text[]",
            "pg_type: oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, "
                    + "typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, "
                    + "typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, "
                    + "typsend regproc, typalign char, typstorage char, typnotnull bool, typbasetype oid, "
                    + "typtypmod int4, typndims int4, typcollation oid, typdefault text",
            "pg_attrdef: oid oid, adrelid oid, adnum int2, adbin pg_node_tree",
            "pg_description: objoid oid, classoid oid, objsubid int4, description text",
            "pg_index: indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, "
                    + "indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, "
                    + "indisready bool, indislive bool, indisreplident bool, indkey int2vector, indcollation oidvector, "
                    + "indclass oidvector, indoption int2vector, indexprs pg_node_tree, indpred pg_node_tree",
            "pg_constraint: oid oid, conname name, connamespace oid, contype char, condeferrable bool, "
                    + "condeferred bool, convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, "
                    + "confrelid oid, confupdtype char, confdeltype char, confmatchtype char, conislocal bool, "
                    + "coninhcount int4, connoinherit bool, conkey int2[], confkey int2[], conbin pg_node_tree",
            "pg_proc: oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, "
                    + "prorows float4, provariadic oid, prokind char, prosecdef bool, proretset bool, provolatile char, "
                    + "pronargs int2, prorettype oid, proargtypes oidvector, proallargtypes oid[], proargmodes char[], "
                    + "proargnames text[], prosrc text",
            "pg_database: oid oid, datname name, datdba oid, encoding int4, datcollate name, datctype name, "
                    + "datistemplate bool, datallowconn bool, datconnlimit int4, dattablespace oid, datacl aclitem[]",
            "pg_roles: rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, "
                    + "rolcanlogin bool, rolreplication bool, rolconnlimit int4, rolvaliduntil timestamptz, "
                    + "rolbypassrls bool, rolconfig text[], oid oid",
            "pg_user: usename name, usesysid oid, usecreatedb bool, usesuper bool, userepl bool, usebypassrls bool, "
                    + "valuntil timestamptz, useconfig text[]",
            "pg_auth_members: roleid oid, member oid, grantor oid, admin_option bool",
            "pg_settings: name text, setting text, unit text, category text, short_desc text, extra_desc text, "
                    + "context text, vartype text, source text, min_val text, max_val text, enumvals text[], "
                    + "boot_val text, reset_val text, pending_restart bool",
            "pg_am: oid oid, amname name, amhandler regproc, amtype char",
            "pg_inherits: inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool",
            "pg_tablespace: oid oid, spcname name, spcowner oid",
            "pg_collation: oid oid, collname name, collnamespace oid, collprovider char, collisdeterministic bool",
            "pg_extension: oid oid, extname name, extowner oid, extnamespace oid, extversion text",
            "pg_enum: oid oid, enumtypid oid, enumsortorder float4, enumlabel name",
            "pg_trigger: oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, "
                    + "tgisinternal bool, tgconstraint oid, tgdeferrable bool, tginitdeferred bool",
            "pg_policy: oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles oid[], "
                    + "polqual pg_node_tree, polwithcheck pg_node_tree",
            "pg_sequence: seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, "
                    + "seqcache int8, seqcycle bool",
            "pg_depend: classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char",
            "pg_statistic_ext: oid oid, stxrelid oid, stxname name, stxnamespace oid, stxkind char[]",
            "pg_publication: oid oid, pubname name, puballtables bool",
            "pg_publication_rel: oid oid, prpubid oid, prrelid oid",
            "pg_publication_namespace: oid oid, pnpubid oid, pnnspid oid",
            "pg_foreign_table: ftrelid oid, ftserver oid",
            "pg_partitioned_table: partrelid oid, partstrat char, partnatts int2",
            "pg_tables: schemaname name, tablename name, tableowner name, tablespace name, hasindexes bool, "
                    + "hasrules bool, hastriggers bool, rowsecurity bool",
            "pg_views: schemaname name, viewname name, viewowner name, definition text",
            "pg_matviews: schemaname name, matviewname name, matviewowner name, ispopulated bool, definition text",
            "pg_indexes: schemaname name, tablename name, indexname name, tablespace name, indexdef text",
            "pg_stat_activity: datid oid, datname name, pid int4, leader_pid int4, usesysid oid, usename name, "
                    + "application_name text, client_addr inet, client_hostname text, client_port int4, "
                    + "backend_start timestamptz, xact_start timestamptz, query_start timestamptz, "
                    + "state_change timestamptz, wait_event_type text, wait_event text, state text, "
                    + "backend_xid xid, backend_xmin xid, query text, backend_type text",
            "pg_locks: locktype text, database oid, relation oid, pid int4, mode text, granted bool",
            "pg_stat_user_tables: relid oid, schemaname name, relname name, seq_scan int8, idx_scan int8, "
                    + "n_live_tup int8, n_dead_tup int8, last_vacuum timestamptz, last_autovacuum timestamptz, "
                    + "last_analyze timestamptz, last_autoanalyze timestamptz",
            "pg_timezone_names: name text, abbrev text, utc_offset interval, is_dst bool",
            "pg_available_extensions: name name, default_version text, installed_version text, comment text",
            "pg_cursors: name text, statement text, is_holdable bool, is_binary bool, is_scrollable bool, creation_time timestamptz",
            "pg_prepared_statements: name text, statement text, prepare_time timestamptz, parameter_types regtype[], from_sql bool",
    };

    private static final String[] PG_INFORMATION_SCHEMA = {
            "tables: table_catalog name, table_schema name, table_name name, table_type varchar, "
                    + "self_referencing_column_name name, reference_generation varchar, user_defined_type_catalog name, "
                    + "user_defined_type_schema name, user_defined_type_name name, is_insertable_into varchar, "
                    + "is_typed varchar, commit_action varchar",
            "columns: table_catalog name, table_schema name, table_name name, column_name name, "
                    + "ordinal_position int4, column_default varchar, is_nullable varchar, data_type varchar, "
                    + "character_maximum_length int4, character_octet_length int4, numeric_precision int4, "
                    + "numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, "
                    + "interval_type varchar, character_set_name name, collation_name name, domain_name name, "
                    + "udt_catalog name, udt_schema name, udt_name name, is_identity varchar, "
                    + "identity_generation varchar, is_generated varchar, generation_expression varchar, "
                    + "is_updatable varchar",
            "schemata: catalog_name name, schema_name name, schema_owner name, default_character_set_name name, sql_path varchar",
            "views: table_catalog name, table_schema name, table_name name, view_definition varchar, "
                    + "check_option varchar, is_updatable varchar, is_insertable_into varchar",
            "table_constraints: constraint_catalog name, constraint_schema name, constraint_name name, "
                    + "table_catalog name, table_schema name, table_name name, constraint_type varchar, "
                    + "is_deferrable varchar, initially_deferred varchar, enforced varchar",
            "key_column_usage: constraint_catalog name, constraint_schema name, constraint_name name, "
                    + "table_catalog name, table_schema name, table_name name, column_name name, "
                    + "ordinal_position int4, position_in_unique_constraint int4",
            "referential_constraints: constraint_catalog name, constraint_schema name, constraint_name name, "
                    + "unique_constraint_catalog name, unique_constraint_schema name, unique_constraint_name name, "
                    + "match_option varchar, update_rule varchar, delete_rule varchar",
            "constraint_column_usage: table_catalog name, table_schema name, table_name name, column_name name, "
                    + "constraint_catalog name, constraint_schema name, constraint_name name",
            "routines: specific_catalog name, specific_schema name, specific_name name, routine_catalog name, "
                    + "routine_schema name, routine_name name, routine_type varchar, data_type varchar, "
                    + "routine_definition varchar, external_language varchar",
            "parameters: specific_schema name, specific_name name, ordinal_position int4, parameter_mode varchar, "
                    + "parameter_name name, data_type varchar",
            "sequences: sequence_catalog name, sequence_schema name, sequence_name name, data_type varchar, "
                    + "start_value varchar, minimum_value varchar, maximum_value varchar, increment varchar, cycle_option varchar",
            "triggers: trigger_catalog name, trigger_schema name, trigger_name name, event_manipulation varchar, "
                    + "event_object_schema name, event_object_table name, action_statement varchar, action_timing varchar",
            "table_privileges: grantor name, grantee name, table_catalog name, table_schema name, table_name name, "
                    + "privilege_type varchar, is_grantable varchar, with_hierarchy varchar",
            "column_privileges: grantor name, grantee name, table_catalog name, table_schema name, table_name name, "
                    + "column_name name, privilege_type varchar, is_grantable varchar",
            "role_table_grants: grantor name, grantee name, table_catalog name, table_schema name, table_name name, "
                    + "privilege_type varchar, is_grantable varchar",
            "enabled_roles: role_name name",
            "character_sets: character_set_catalog name, character_set_schema name, character_set_name name, "
                    + "character_repertoire name, form_of_use name, default_collate_name name",
    };

    private static final String[] MYSQL_INFORMATION_SCHEMA = {
            "TABLES: TABLE_CATALOG varchar, TABLE_SCHEMA varchar, TABLE_NAME varchar, TABLE_TYPE varchar, "
                    + "ENGINE varchar, VERSION bigint, ROW_FORMAT varchar, TABLE_ROWS bigint, AVG_ROW_LENGTH bigint, "
                    + "DATA_LENGTH bigint, MAX_DATA_LENGTH bigint, INDEX_LENGTH bigint, DATA_FREE bigint, "
                    + "AUTO_INCREMENT bigint, CREATE_TIME datetime, UPDATE_TIME datetime, CHECK_TIME datetime, "
                    + "TABLE_COLLATION varchar, CHECKSUM bigint, CREATE_OPTIONS varchar, TABLE_COMMENT varchar",
            "COLUMNS: TABLE_CATALOG varchar, TABLE_SCHEMA varchar, TABLE_NAME varchar, COLUMN_NAME varchar, "
                    + "ORDINAL_POSITION bigint, COLUMN_DEFAULT longtext, IS_NULLABLE varchar, DATA_TYPE varchar, "
                    + "CHARACTER_MAXIMUM_LENGTH bigint, CHARACTER_OCTET_LENGTH bigint, NUMERIC_PRECISION bigint, "
                    + "NUMERIC_SCALE bigint, DATETIME_PRECISION bigint, CHARACTER_SET_NAME varchar, "
                    + "COLLATION_NAME varchar, COLUMN_TYPE longtext, COLUMN_KEY varchar, EXTRA varchar, "
                    + "PRIVILEGES varchar, COLUMN_COMMENT varchar, GENERATION_EXPRESSION longtext, SRS_ID bigint",
            "SCHEMATA: CATALOG_NAME varchar, SCHEMA_NAME varchar, DEFAULT_CHARACTER_SET_NAME varchar, "
                    + "DEFAULT_COLLATION_NAME varchar, SQL_PATH varchar",
            "VIEWS: TABLE_CATALOG varchar, TABLE_SCHEMA varchar, TABLE_NAME varchar, VIEW_DEFINITION longtext, "
                    + "CHECK_OPTION varchar, IS_UPDATABLE varchar, DEFINER varchar, SECURITY_TYPE varchar, "
                    + "CHARACTER_SET_CLIENT varchar, COLLATION_CONNECTION varchar",
            "STATISTICS: TABLE_CATALOG varchar, TABLE_SCHEMA varchar, TABLE_NAME varchar, NON_UNIQUE bigint, "
                    + "INDEX_SCHEMA varchar, INDEX_NAME varchar, SEQ_IN_INDEX bigint, COLUMN_NAME varchar, "
                    + "COLLATION varchar, CARDINALITY bigint, SUB_PART bigint, PACKED varchar, NULLABLE varchar, "
                    + "INDEX_TYPE varchar, COMMENT varchar, INDEX_COMMENT varchar",
            "KEY_COLUMN_USAGE: CONSTRAINT_CATALOG varchar, CONSTRAINT_SCHEMA varchar, CONSTRAINT_NAME varchar, "
                    + "TABLE_CATALOG varchar, TABLE_SCHEMA varchar, TABLE_NAME varchar, COLUMN_NAME varchar, "
                    + "ORDINAL_POSITION bigint, POSITION_IN_UNIQUE_CONSTRAINT bigint, REFERENCED_TABLE_SCHEMA varchar, "
                    + "REFERENCED_TABLE_NAME varchar, REFERENCED_COLUMN_NAME varchar",
            "TABLE_CONSTRAINTS: CONSTRAINT_CATALOG varchar, CONSTRAINT_SCHEMA varchar, CONSTRAINT_NAME varchar, "
                    + "TABLE_SCHEMA varchar, TABLE_NAME varchar, CONSTRAINT_TYPE varchar",
            "REFERENTIAL_CONSTRAINTS: CONSTRAINT_CATALOG varchar, CONSTRAINT_SCHEMA varchar, CONSTRAINT_NAME varchar, "
                    + "UNIQUE_CONSTRAINT_CATALOG varchar, UNIQUE_CONSTRAINT_SCHEMA varchar, UNIQUE_CONSTRAINT_NAME varchar, "
                    + "MATCH_OPTION varchar, UPDATE_RULE varchar, DELETE_RULE varchar, TABLE_NAME varchar, "
                    + "REFERENCED_TABLE_NAME varchar",
            "ROUTINES: SPECIFIC_NAME varchar, ROUTINE_CATALOG varchar, ROUTINE_SCHEMA varchar, ROUTINE_NAME varchar, "
                    + "ROUTINE_TYPE varchar, DATA_TYPE varchar, ROUTINE_BODY varchar, ROUTINE_DEFINITION longtext, "
                    + "IS_DETERMINISTIC varchar, SQL_DATA_ACCESS varchar, SECURITY_TYPE varchar, CREATED datetime, "
                    + "LAST_ALTERED datetime, ROUTINE_COMMENT longtext, DEFINER varchar",
            "PARAMETERS: SPECIFIC_CATALOG varchar, SPECIFIC_SCHEMA varchar, SPECIFIC_NAME varchar, "
                    + "ORDINAL_POSITION bigint, PARAMETER_MODE varchar, PARAMETER_NAME varchar, DATA_TYPE varchar, "
                    + "DTD_IDENTIFIER longtext, ROUTINE_TYPE varchar",
            "TRIGGERS: TRIGGER_SCHEMA varchar, TRIGGER_NAME varchar, EVENT_MANIPULATION varchar, "
                    + "EVENT_OBJECT_SCHEMA varchar, EVENT_OBJECT_TABLE varchar, ACTION_STATEMENT longtext, ACTION_TIMING varchar",
            "ENGINES: ENGINE varchar, SUPPORT varchar, COMMENT varchar, TRANSACTIONS varchar, XA varchar, SAVEPOINTS varchar",
            "CHARACTER_SETS: CHARACTER_SET_NAME varchar, DEFAULT_COLLATE_NAME varchar, DESCRIPTION varchar, MAXLEN bigint",
            "COLLATIONS: COLLATION_NAME varchar, CHARACTER_SET_NAME varchar, ID bigint, IS_DEFAULT varchar, "
                    + "IS_COMPILED varchar, SORTLEN bigint",
            "PROCESSLIST: ID bigint, USER varchar, HOST varchar, DB varchar, COMMAND varchar, TIME int, STATE varchar, INFO longtext",
            "SESSION_VARIABLES: VARIABLE_NAME varchar, VARIABLE_VALUE varchar",
            "GLOBAL_VARIABLES: VARIABLE_NAME varchar, VARIABLE_VALUE varchar",
            "PARTITIONS: TABLE_SCHEMA varchar, TABLE_NAME varchar, PARTITION_NAME varchar, TABLE_ROWS bigint",
            "EVENTS: EVENT_SCHEMA varchar, EVENT_NAME varchar, EVENT_DEFINITION longtext, STATUS varchar",
            "USER_PRIVILEGES: GRANTEE varchar, TABLE_CATALOG varchar, PRIVILEGE_TYPE varchar, IS_GRANTABLE varchar",
            "SCHEMA_PRIVILEGES: GRANTEE varchar, TABLE_CATALOG varchar, TABLE_SCHEMA varchar, PRIVILEGE_TYPE varchar, IS_GRANTABLE varchar",
            "TABLE_PRIVILEGES: GRANTEE varchar, TABLE_CATALOG varchar, TABLE_SCHEMA varchar, TABLE_NAME varchar, "
                    + "PRIVILEGE_TYPE varchar, IS_GRANTABLE varchar",
            "INNODB_TRX: trx_id varchar, trx_state varchar, trx_started datetime, trx_mysql_thread_id bigint, trx_query varchar",
    };

    private SystemCatalogs() {
    }

    /** Whether a schema is one of the server's own (catalogs, statistics), not the database's data. */
    static boolean system(Dialect dialect, String schema) {
        return dialect == Dialect.POSTGRESQL ? schema.equals("pg_catalog") || schema.equals("information_schema")
                || schema.startsWith("pg_toast") || schema.startsWith("pg_temp")
                : Set.of("information_schema", "mysql", "performance_schema", "sys").contains(schema.toLowerCase(Locale.ROOT));
    }

    static void addMissing(Dialect dialect, Map<String, Map<String, RelationInfo>> schemas) {
        if (dialect == Dialect.POSTGRESQL) {
            add(schemas, "pg_catalog", PG_CATALOG);
            add(schemas, "information_schema", PG_INFORMATION_SCHEMA);
        } else {
            add(schemas, "information_schema", MYSQL_INFORMATION_SCHEMA);
        }
    }

    private static void add(Map<String, Map<String, RelationInfo>> schemas, String schema, String[] specs) {
        Map<String, RelationInfo> target = schemas.computeIfAbsent(schema, k -> new LinkedHashMap<>());
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            String name = spec.substring(0, colon).trim();
            List<ColumnInfo> columns = new ArrayList<>();
            for (String col : spec.substring(colon + 1).split(",")) {
                String c = col.trim();
                int space = c.indexOf(' ');
                columns.add(new ColumnInfo(c.substring(0, space), c.substring(space + 1).trim(), true));
            }
            target.putIfAbsent(name, RelationInfo.table(schema, name, columns));
        }
    }
}
