package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * The shop catalog plus the few relations the statement corpus also names (an events table with a JSON column,
 * an archive copy of orders, the tables ORM examples map the shop to), and the bookkeeping tables that ORM and
 * migration tools create in every database they manage (a real upstream catalog lists them like any table).
 */
final class CorpusCatalog {
    private CorpusCatalog() {
    }

    static CatalogSnapshot of(Dialect dialect) {
        CatalogSnapshot shop = dialect == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql();
        String schema = dialect == Dialect.POSTGRESQL ? "public" : "shop";
        CatalogSnapshot.Builder b = CatalogSnapshot.builder(dialect, "shop");
        shop.relations().stream().filter(r -> r.schema().equals(schema) && !r.name().equals("orders")).forEach(b::relation);
        // Rails adds updated_at to every table it creates; the corpus's Rails statements write it.
        List<ColumnInfo> orderColumns = new ArrayList<>(shop.relation(schema, "orders").orElseThrow().columns());
        orderColumns.add(c("updated_at", "timestamp"));
        b.relation(RelationInfo.table(schema, "orders", orderColumns));
        b.relation(RelationInfo.table(schema, "orders_archive", orderColumns));
        b.relation(RelationInfo.table(schema, "shop_order", orderColumns));
        b.relation(RelationInfo.table(schema, "shop_customer", shop.relation(schema, "customers").orElseThrow().columns()));
        b.relation(RelationInfo.table(schema, "shop_refund", List.of(c("id", "bigint"), c("amount", "numeric"),
                c("order_id", "bigint"), c("created_at", "timestamp"))));
        b.relation(RelationInfo.table(schema, "events", List.of(c("id", "bigint"), c("data", "jsonb"),
                c("created_at", "timestamp"), c("kind", "varchar"))));
        b.relation(RelationInfo.table(schema, "orders_staging", orderColumns));
        b.relation(RelationInfo.table(schema, "articles", List.of(c("id", "bigint"), c("title", "text"),
                c("tags", dialect == Dialect.POSTGRESQL ? "_text" : "json"))));
        b.relation(RelationInfo.table(schema, "documents", List.of(c("id", "bigint"), c("body", "text"))));
        // Migration and ORM bookkeeping tables, as Django, Rails, Prisma, Flyway, Liquibase and Hibernate create them.
        b.relation(RelationInfo.table(schema, "django_migrations", List.of(c("id", "bigint"), c("app", "varchar"),
                c("name", "varchar"), c("applied", "timestamp"))));
        b.relation(RelationInfo.table(schema, "schema_migrations", List.of(c("version", "varchar"))));
        b.relation(RelationInfo.table(schema, "ar_internal_metadata", List.of(c("key", "varchar"), c("value", "varchar"),
                c("created_at", "timestamp"), c("updated_at", "timestamp"))));
        b.relation(RelationInfo.table(schema, "_prisma_migrations", List.of(c("id", "varchar"), c("checksum", "varchar"),
                c("finished_at", "timestamp"), c("migration_name", "varchar"), c("logs", "text"),
                c("rolled_back_at", "timestamp"), c("started_at", "timestamp"), c("applied_steps_count", "int"))));
        b.relation(RelationInfo.table(schema, "flyway_schema_history", List.of(c("installed_rank", "int"),
                c("version", "varchar"), c("description", "varchar"), c("type", "varchar"), c("script", "varchar"),
                c("checksum", "int"), c("installed_by", "varchar"), c("installed_on", "timestamp"),
                c("execution_time", "int"), c("success", "boolean"))));
        b.relation(RelationInfo.table(schema, "databasechangelog", List.of(c("id", "varchar"), c("author", "varchar"),
                c("filename", "varchar"), c("dateexecuted", "timestamp"), c("orderexecuted", "int"),
                c("exectype", "varchar"), c("md5sum", "varchar"))));
        b.relation(RelationInfo.table(schema, "hibernate_sequence", List.of(c("next_val", "bigint"))));
        return b.build();
    }

    private static ColumnInfo c(String name, String type) {
        return new ColumnInfo(name, type, true);
    }
}
