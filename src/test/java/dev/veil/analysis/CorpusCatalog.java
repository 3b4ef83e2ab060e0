package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;

import java.util.List;

/**
 * The shop catalog plus the few relations the statement corpus also names (an events table with a JSON column,
 * an archive copy of orders, the tables ORM examples map the shop to).
 */
final class CorpusCatalog {
    private CorpusCatalog() {
    }

    static CatalogSnapshot of(Dialect dialect) {
        CatalogSnapshot shop = dialect == Dialect.POSTGRESQL ? ShopCatalog.postgres() : ShopCatalog.mysql();
        String schema = dialect == Dialect.POSTGRESQL ? "public" : "shop";
        CatalogSnapshot.Builder b = CatalogSnapshot.builder(dialect, "shop");
        shop.relations().stream().filter(r -> r.schema().equals(schema)).forEach(b::relation);
        List<ColumnInfo> orderColumns = shop.relation(schema, "orders").orElseThrow().columns();
        b.relation(RelationInfo.table(schema, "orders_archive", orderColumns));
        b.relation(RelationInfo.table(schema, "shop_order", orderColumns));
        b.relation(RelationInfo.table(schema, "shop_customer", shop.relation(schema, "customers").orElseThrow().columns()));
        b.relation(RelationInfo.table(schema, "shop_refund", List.of(c("id", "bigint"), c("amount", "numeric"),
                c("order_id", "bigint"), c("created_at", "timestamp"))));
        b.relation(RelationInfo.table(schema, "events", List.of(c("id", "bigint"), c("data", "jsonb"),
                c("created_at", "timestamp"), c("kind", "varchar"))));
        return b.build();
    }

    private static ColumnInfo c(String name, String type) {
        return new ColumnInfo(name, type, true);
    }
}
