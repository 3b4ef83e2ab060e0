-- Run by MariaDbCliThroughVeilTest with the mariadb client, directly and through Veil; outputs must match.
SELECT 'hello' AS greeting, 1 + 1 AS two, NULL AS nothing;
SELECT id, full_name, city FROM customers ORDER BY id LIMIT 5;
SELECT status, count(*) AS n, sum(amount) AS total FROM orders GROUP BY status ORDER BY status;
SELECT * FROM customer_contacts ORDER BY id LIMIT 3;
SELECT 1/0 AS division, CAST('2024-02-30' AS DATE) AS bad_date;
SHOW WARNINGS;
SELECT * FROM no_such_table;
SELECT 'after an error' AS still_running;
DELIMITER //
SELECT 'first' AS a; SELECT 'second, with comma' AS b //
DELIMITER ;
CREATE TEMPORARY TABLE cli_tmp (id INT PRIMARY KEY, v VARCHAR(20), d DECIMAL(10,2), t DATETIME(3));
INSERT INTO cli_tmp VALUES (1, 'one', 1.50, '2024-01-02 03:04:05.678'), (2, NULL, -0.01, NULL);
INSERT INTO cli_tmp VALUES (1, 'duplicate', 0, NULL);
UPDATE cli_tmp SET v = 'uno' WHERE id = 1;
SELECT * FROM cli_tmp ORDER BY id;
START TRANSACTION;
DELETE FROM cli_tmp;
ROLLBACK;
SELECT count(*) AS kept FROM cli_tmp;
DESCRIBE customers;
SELECT JSON_OBJECT('a', 1, 'b', JSON_ARRAY(1, 2)) AS js, HEX(x'00ff') AS hx, b'101' + 0 AS bits;
USE information_schema;
SELECT DATABASE() AS db;
SELECT 'done' AS finished;
