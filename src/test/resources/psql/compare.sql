-- Run by psql directly and through Veil; both outputs must be identical.
\pset pager off
SELECT count(*) AS customers FROM customers;
SELECT id, full_name, email, city FROM customers ORDER BY id LIMIT 5;
SELECT status, count(*), round(avg(amount), 2) AS avg_amount FROM orders GROUP BY status ORDER BY status;
SELECT * FROM customer_contacts WHERE id BETWEEN 10 AND 12 ORDER BY id;
\d customers
\d+ customer_contacts
\dt
\dv
\df upper
SELECT 1 AS one; SELECT 'multi' AS two;
SELECT 1/0;
BEGIN;
SELECT 'in transaction';
SELECT nosuchcolumn FROM customers;
SELECT 'aborted';
ROLLBACK;
COPY (SELECT id, email FROM customers ORDER BY id LIMIT 3) TO STDOUT WITH (FORMAT csv, HEADER);
CREATE TEMP TABLE psql_t (id int, note text);
COPY psql_t FROM STDIN WITH (FORMAT csv);
1,first
2,"second, with comma"
\.
SELECT * FROM psql_t ORDER BY id;
SELECT '\x0102'::bytea AS b, '2024-01-02 03:04:05+00'::timestamptz AS ts, interval '1 day 2 hours', ARRAY[1,2] AS arr, '{"k": [1]}'::jsonb AS j;
DO $$ BEGIN RAISE NOTICE 'a notice for psql'; END $$;
SHOW application_name;
PREPARE p(int) AS SELECT $1 + 1 AS next;
EXECUTE p(41);
\echo done
