package dev.veil.analysis;

import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;

/** The demo's shop schema as a catalog snapshot, in each dialect's own type names (see dev.veil.demo.ShopSeeder). */
public final class ShopCatalog {
    private ShopCatalog() {
    }

    public static CatalogSnapshot postgres() {
        return CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop")
                .table("public", "customers", c("id", "int4", false), c("full_name", "text", false),
                        c("email", "varchar", false), c("phone", "varchar", false), c("ssn", "varchar", false),
                        c("card_number", "varchar", false), c("birth_date", "date", false), c("city", "text", false),
                        c("created_at", "timestamptz", false))
                .table("public", "orders", c("id", "int8", false), c("customer_id", "int4", false),
                        c("amount", "numeric", false), c("status", "varchar", false), c("created_at", "timestamptz", false))
                .view("public", "customer_contacts", "SELECT id, full_name, email FROM customers",
                        c("id", "int4", false), c("full_name", "text", false), c("email", "varchar", false))
                .build();
    }

    public static CatalogSnapshot mysql() {
        return CatalogSnapshot.builder(Dialect.MYSQL, "shop")
                .table("shop", "customers", c("id", "int", false), c("full_name", "varchar", false),
                        c("email", "varchar", false), c("phone", "varchar", false), c("ssn", "varchar", false),
                        c("card_number", "varchar", false), c("birth_date", "date", false), c("city", "varchar", false),
                        c("created_at", "datetime", false))
                .table("shop", "orders", c("id", "bigint", false), c("customer_id", "int", false),
                        c("amount", "decimal", false), c("status", "varchar", false), c("created_at", "datetime", false))
                .view("shop", "customer_contacts", "select `id`, `full_name`, `email` from `customers`",
                        c("id", "int", false), c("full_name", "varchar", false), c("email", "varchar", false))
                .build();
    }

    private static ColumnInfo c(String name, String type, boolean nullable) {
        return new ColumnInfo(name, type, nullable);
    }
}
