package dev.veil.masking.leak;

import dev.veil.analysis.Dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The leak suite's canaries: four extra customers (ids 990001..990004, so every case can select them with
 * {@code WHERE id > 990000}, id being untagged) whose email, phone, SSN, card number and birth date are values that
 * occur nowhere else. They have the shapes the classifier expects (Luhn-valid cards, issuable SSNs, valid
 * addresses), so sampling cannot take a column's tag away. Seeded straight into the servers, around Veil, and
 * removed again: the shop data other tests pin stays as it was.
 */
final class Canaries {
    static final int FIRST_ID = 990001;

    /** One canary customer; {@code birthDate} is never January 1 (date-to-year would keep it). */
    record Customer(int id, String email, String phone, String ssn, String card, LocalDate birthDate) {
    }

    static final List<Customer> CUSTOMERS = List.of(
            new Customer(990001, "zqv7canary.alpha@example.org", "+1 415-739-2846", "512-83-4067", "4716382950174689",
                    LocalDate.of(1963, 7, 29)),
            new Customer(990002, "kx3mcanary.bravo@proton.me", "+1 212-868-3951", "634-27-9182", "5391726408539175",
                    LocalDate.of(1971, 11, 3)),
            new Customer(990003, "wj9pcanary.charlie@icloud.com", "+1 312-476-5038", "287-59-6314", "378294610573621",
                    LocalDate.of(1984, 2, 17)),
            new Customer(990004, "hb2tcanary.delta@gmail.com", "+1 617-253-8094", "745-16-2738", "4532817062943515",
                    LocalDate.of(1995, 9, 8)));

    private Canaries() {
    }

    /** A masked value as the scanner looks for it: what it is, and the part the demo's masker hides. */
    record Secret(String label, String value, String hidden) {
    }

    /**
     * Every canary value with the part its masker hides: an email's local part (the domain stays), all but the last
     * four characters of a phone, SSN or card (partial(4)); a birth date is scanned whole (date-to-year keeps the year).
     */
    static List<Secret> secrets() {
        List<Secret> out = new ArrayList<>();
        for (Customer c : CUSTOMERS) {
            out.add(new Secret(c.id() + ".email", c.email(), c.email().substring(0, c.email().indexOf('@'))));
            out.add(new Secret(c.id() + ".phone", c.phone(), allButLastFour(c.phone())));
            out.add(new Secret(c.id() + ".ssn", c.ssn(), allButLastFour(c.ssn())));
            out.add(new Secret(c.id() + ".card_number", c.card(), allButLastFour(c.card())));
        }
        return out;
    }

    private static String allButLastFour(String s) {
        return s.substring(0, s.length() - 4);
    }

    static void seed(Dialect dialect, Connection superuser) throws SQLException {
        remove(dialect, superuser);
        try (Statement st = superuser.createStatement()) {
            for (Customer c : CUSTOMERS) {
                String created = dialect == Dialect.POSTGRESQL ? "'2024-01-01 00:00:00+00'" : "'2024-01-01 00:00:00'";
                st.execute("INSERT INTO customers (id, full_name, email, phone, ssn, card_number, birth_date, city, created_at)"
                        + " VALUES (" + c.id() + ", 'Canary Customer', '" + c.email() + "', '" + c.phone() + "', '" + c.ssn()
                        + "', '" + c.card() + "', '" + c.birthDate() + "', 'Canary Wharf', " + created + ")");
            }
            analyze(dialect, st);
        }
    }

    /** Takes the canaries out again, from the table and from its statistics. */
    static void remove(Dialect dialect, Connection superuser) throws SQLException {
        try (Statement st = superuser.createStatement()) {
            st.execute("DELETE FROM customers WHERE id >= " + FIRST_ID);
            analyze(dialect, st);
        }
    }

    /** Fresh statistics: with the canaries, pg_stats' histograms and MariaDB's column_stats hold them too (cases read them). */
    private static void analyze(Dialect dialect, Statement st) throws SQLException {
        st.execute(dialect == Dialect.POSTGRESQL ? "ANALYZE customers" : "ANALYZE TABLE customers PERSISTENT FOR ALL");
    }
}
