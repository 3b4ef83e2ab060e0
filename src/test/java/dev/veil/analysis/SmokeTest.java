package dev.veil.analysis;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void prints() {
        StatementAnalyzer a = new StatementAnalyzer();
        for (String sql : new String[]{
                "SELECT upper(email) AS e, count(*) FROM customers GROUP BY 1",
                "SELECT (SELECT max(card_number) FROM customers c2 WHERE c2.id = o.customer_id) AS card FROM orders o",
                "SELECT * FROM customer_contacts",
                "SELECT email::text FROM customers WHERE ssn = $1",
                "UPDATE customers SET phone = ssn WHERE id = 1 RETURNING email",
                "INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES (1, 2, 3, 'x', now()) ON CONFLICT (id) DO UPDATE SET status = excluded.status RETURNING *",
                "DELETE FROM orders o USING customers c WHERE o.customer_id = c.id AND c.city = 'x'",
                "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM t WHERE n < 5) SELECT n FROM t",
                "SELECT DISTINCT ON (city) city, email FROM customers ORDER BY city, id",
                "SELECT * FROM customers FOR UPDATE",
                "BEGIN", "SET search_path TO public", "SHOW search_path", "EXPLAIN ANALYZE DELETE FROM orders",
                "COPY (SELECT ssn FROM customers) TO STDOUT", "CREATE TABLE x AS SELECT ssn FROM customers",
                "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(customers)$'",
        }) {
            System.out.println(sql + "\n   -> " + a.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"), sql));
        }
        for (String sql : new String[]{
                "SELECT @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client",
                "SELECT SQL_CALC_FOUND_ROWS id, email FROM customers LIMIT 10",
                "INSERT INTO orders (id, customer_id, amount, status, created_at) VALUES (1, 2, 3, 'x', now()) ON DUPLICATE KEY UPDATE status = VALUES(status)",
                "UPDATE customers c JOIN orders o ON o.customer_id = c.id SET o.status = c.email WHERE c.id = 1",
                "DELETE o FROM orders o JOIN customers c ON o.customer_id = c.id WHERE c.city = 'x'",
                "SELECT CAST(id AS SIGNED), email->>'$.a' FROM customers",
                "USE shop", "SHOW TABLES", "SET NAMES utf8mb4", "SELECT `email` FROM `customers` WHERE `city` = \"Paris\"",
        }) {
            System.out.println(sql + "\n   -> " + a.analyze(Dialect.MYSQL, ShopCatalog.mysql(), NameResolution.mysql("shop"), sql));
        }
    }
}
