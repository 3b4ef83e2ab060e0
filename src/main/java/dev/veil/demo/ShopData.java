package dev.veil.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The demo {@code shop} dataset: customers carrying the kinds of personal data Veil is meant to mask
 * (names, emails, phones, SSNs, card numbers) and their orders.
 *
 * <p>Everything is synthetic and derived from a fixed-seed {@link Random} and a fixed reference instant,
 * so every run, machine and dialect sees byte-identical rows; tests and benchmarks can therefore assert
 * on concrete values. The rows are plain records so that seeders for other dialects can reuse them.
 */
public final class ShopData {

    public static final int CUSTOMER_COUNT = 1_000;
    public static final int ORDER_COUNT = 10_000;
    public static final long DEFAULT_SEED = 0x5EED_5A0FL;

    /** Stands in for "now": customers and orders are spread over the three years before it. */
    public static final Instant REFERENCE_INSTANT = Instant.parse("2025-06-01T00:00:00Z");

    public static final List<String> ORDER_STATUSES =
            List.of("pending", "paid", "shipped", "delivered", "cancelled", "refunded");

    /** One {@code customers} row; {@code createdAt} is UTC and whole seconds so every dialect stores it exactly. */
    public record Customer(int id, String fullName, String email, String phone, String ssn,
                           String cardNumber, LocalDate birthDate, String city, Instant createdAt) {
    }

    /** One {@code orders} row; {@code amount} always has scale 2, matching numeric(10,2). */
    public record Order(long id, int customerId, BigDecimal amount, String status, Instant createdAt) {
    }

    private final List<Customer> customers;
    private final List<Order> orders;

    private ShopData(List<Customer> customers, List<Order> orders) {
        this.customers = List.copyOf(customers);
        this.orders = List.copyOf(orders);
    }

    public static ShopData generate() {
        return generate(DEFAULT_SEED);
    }

    public static ShopData generate(long seed) {
        Generator generator = new Generator(new Random(seed));
        List<Customer> customers = generator.customers();
        return new ShopData(customers, generator.orders(customers));
    }

    /** Ordered by id; ids are 1..{@value #CUSTOMER_COUNT} and increase with {@code createdAt}. */
    public List<Customer> customers() {
        return customers;
    }

    /** Ordered by id; ids are 1..{@value #ORDER_COUNT} and increase with {@code createdAt}. */
    public List<Order> orders() {
        return orders;
    }

    /**
     * Draws all values from one Random in a fixed order. Any change to the order of draws changes the whole
     * dataset, which is acceptable only together with updating tests that pin concrete values.
     */
    private static final class Generator {

        private static final List<String> FIRST_NAMES = List.of(
                "James", "Mary", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan",
                "Sofia", "Mateo", "Lucía", "José", "Camila", "Thiago",
                "Aisha", "Omar", "Fatima", "Yusuf", "Elif", "Emre",
                "Wei", "Mei", "Hiroshi", "Yuki", "Min-jun", "Ji-woo", "Linh", "Minh",
                "Priya", "Arjun", "Ananya", "Rahul",
                "Chinedu", "Amara", "Kwame", "Kofi", "Zainab",
                "Dmitri", "Anastasia", "Lars", "Ingrid", "Siobhán", "Seán",
                "François", "Chloé", "Giulia", "Marco", "Zoë", "Noa", "Ariel");

        private static final List<String> LAST_NAMES = List.of(
                "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
                "Garcia", "Rodriguez", "Martínez", "Hernández", "Silva", "Santos", "Pereira",
                "Nguyen", "Tran", "Kim", "Park", "Lee", "Chen", "Wang", "Li", "Tanaka", "Sato",
                "Patel", "Sharma", "Singh", "Khan", "Haddad", "Yilmaz",
                "Okafor", "Adeyemi", "Mensah", "Cohen", "Levi",
                "Kowalski", "Novak", "Petrov", "Müller", "Schmidt", "Rossi", "Bianchi",
                "Dubois", "Lefebvre", "O'Brien", "Murphy", "Andersson", "Johansson");

        /** Consumer mail providers, repeated to weight the draw roughly by popularity. */
        private static final List<String> EMAIL_DOMAINS = List.of(
                "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com",
                "yahoo.com", "yahoo.com", "outlook.com", "outlook.com", "hotmail.com", "icloud.com",
                "icloud.com", "proton.me", "aol.com", "fastmail.com", "comcast.net");

        /** Cities with their real area codes, so a customer's phone usually matches where they live. */
        private static final List<City> CITIES = List.of(
                new City("New York", 212, 646, 718, 917),
                new City("Los Angeles", 213, 310, 323),
                new City("Chicago", 312, 773),
                new City("Houston", 713, 832),
                new City("Phoenix", 602, 480),
                new City("Philadelphia", 215, 267),
                new City("San Antonio", 210),
                new City("San Diego", 619, 858),
                new City("Dallas", 214, 972),
                new City("Austin", 512, 737),
                new City("San Jose", 408),
                new City("San Francisco", 415, 628),
                new City("Seattle", 206),
                new City("Denver", 303, 720),
                new City("Boston", 617, 857),
                new City("Portland", 503, 971),
                new City("Atlanta", 404, 678),
                new City("Miami", 305, 786),
                new City("Minneapolis", 612),
                new City("Nashville", 615),
                new City("Detroit", 313),
                new City("Las Vegas", 702),
                new City("Salt Lake City", 801),
                new City("Pittsburgh", 412),
                new City("Raleigh", 919),
                new City("New Orleans", 504),
                new City("Honolulu", 808),
                new City("Anchorage", 907),
                new City("Kansas City", 816),
                new City("Columbus", 614));

        private static final LocalDate OLDEST_BIRTH_DATE = LocalDate.of(1950, 1, 1);
        private static final LocalDate YOUNGEST_BIRTH_DATE = LocalDate.of(2005, 12, 31);
        private static final long HISTORY_SECONDS = Duration.ofDays(3 * 365).toSeconds();
        private static final BigDecimal MIN_AMOUNT = new BigDecimal("2.50");
        private static final BigDecimal MAX_AMOUNT = new BigDecimal("4999.99");

        private final Random random;

        Generator(Random random) {
            this.random = random;
        }

        List<Customer> customers() {
            // Sign-up times are drawn first and sorted so that ids grow with created_at, as a serial key would.
            Instant[] createdAt = new Instant[CUSTOMER_COUNT];
            for (int i = 0; i < CUSTOMER_COUNT; i++) {
                createdAt[i] = instantBeforeReference(HISTORY_SECONDS);
            }
            Arrays.sort(createdAt);

            Set<String> emails = new HashSet<>();
            List<Customer> customers = new ArrayList<>(CUSTOMER_COUNT);
            for (int i = 0; i < CUSTOMER_COUNT; i++) {
                String first = pick(FIRST_NAMES);
                String last = pick(LAST_NAMES);
                LocalDate birthDate = birthDate();
                City city = pick(CITIES);
                customers.add(new Customer(
                        i + 1,
                        first + " " + last,
                        uniqueEmail(first, last, birthDate, emails),
                        phone(city),
                        ssn(),
                        cardNumber(),
                        birthDate,
                        city.name(),
                        createdAt[i]));
            }
            return customers;
        }

        List<Order> orders(List<Customer> customers) {
            // Long-standing and naturally active customers order more: weight = activity × tenure.
            double[] cumulativeWeight = new double[customers.size()];
            double total = 0;
            for (int i = 0; i < customers.size(); i++) {
                double activity = 0.2 + 2.8 * random.nextDouble();
                double tenureDays = Duration.between(customers.get(i).createdAt(), REFERENCE_INSTANT).toDays() + 1;
                total += activity * tenureDays;
                cumulativeWeight[i] = total;
            }

            List<Order> unnumbered = new ArrayList<>(ORDER_COUNT);
            for (int i = 0; i < ORDER_COUNT; i++) {
                Customer customer = customers.get(weightedIndex(cumulativeWeight, total));
                long tenureSeconds = Duration.between(customer.createdAt(), REFERENCE_INSTANT).toSeconds();
                Instant createdAt = instantBeforeReference(Math.max(1, tenureSeconds));
                unnumbered.add(new Order(0, customer.id(), amount(), status(createdAt), createdAt));
            }

            // Stable sort, so ties keep draw order and the numbering stays deterministic.
            unnumbered.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
            List<Order> orders = new ArrayList<>(ORDER_COUNT);
            for (int i = 0; i < unnumbered.size(); i++) {
                Order o = unnumbered.get(i);
                orders.add(new Order(i + 1, o.customerId(), o.amount(), o.status(), o.createdAt()));
            }
            return orders;
        }

        /** A whole-second instant in (reference − spanSeconds, reference]. */
        private Instant instantBeforeReference(long spanSeconds) {
            return REFERENCE_INSTANT.minusSeconds((long) (random.nextDouble() * spanSeconds));
        }

        private String uniqueEmail(String first, String last, LocalDate birthDate, Set<String> taken) {
            String f = asciiLower(first);
            String l = asciiLower(last);
            String local = switch (random.nextInt(6)) {
                case 0 -> f + "." + l;
                case 1 -> f + l;
                case 2 -> f.charAt(0) + l;
                case 3 -> f + "_" + l;
                case 4 -> f + "." + l + (birthDate.getYear() % 100);
                default -> f.charAt(0) + "." + l + (10 + random.nextInt(90));
            };
            String domain = pick(EMAIL_DOMAINS);
            String email = local + "@" + domain;
            // Popular names collide; people then add digits, which is also what real addresses look like.
            while (!taken.add(email)) {
                email = local + (100 + random.nextInt(900)) + "@" + domain;
            }
            return email;
        }

        /** 555-0100..0199 is the NANP range reserved for fiction, so no real subscriber is ever named. */
        private String phone(City home) {
            City areaCity = random.nextInt(100) < 8 ? pick(CITIES) : home; // some keep a number from a previous city
            int areaCode = areaCity.areaCodes()[random.nextInt(areaCity.areaCodes().length)];
            return String.format("+1 %03d-555-01%02d", areaCode, random.nextInt(100));
        }

        /** Area 001–899 except 666, group 01–99, serial 0001–9999: the structural rules the SSA never issues outside. */
        private String ssn() {
            int area;
            do {
                area = 1 + random.nextInt(899);
            } while (area == 666);
            int group = 1 + random.nextInt(99);
            int serial = 1 + random.nextInt(9999);
            return String.format("%03d-%02d-%04d", area, group, serial);
        }

        /** Visa (4, 16 digits), Mastercard (51–55, 16 digits) or Amex (34/37, 15 digits), with a valid Luhn digit. */
        private String cardNumber() {
            int brand = random.nextInt(100);
            String prefix;
            int length;
            if (brand < 50) {
                prefix = "4";
                length = 16;
            } else if (brand < 88) {
                prefix = "5" + (1 + random.nextInt(5));
                length = 16;
            } else {
                prefix = random.nextBoolean() ? "34" : "37";
                length = 15;
            }
            StringBuilder digits = new StringBuilder(prefix);
            while (digits.length() < length - 1) {
                digits.append(random.nextInt(10));
            }
            return digits.append(luhnCheckDigit(digits)).toString();
        }

        /** The digit that makes {@code payload + digit} pass Luhn: double every second digit from the right of the full number. */
        private static int luhnCheckDigit(CharSequence payload) {
            int sum = 0;
            for (int i = payload.length() - 1, position = 0; i >= 0; i--, position++) {
                int d = payload.charAt(i) - '0';
                if (position % 2 == 0) { // these sit at odd positions once the check digit is appended
                    d *= 2;
                    if (d > 9) {
                        d -= 9;
                    }
                }
                sum += d;
            }
            return (10 - sum % 10) % 10;
        }

        private LocalDate birthDate() {
            long span = YOUNGEST_BIRTH_DATE.toEpochDay() - OLDEST_BIRTH_DATE.toEpochDay() + 1;
            return OLDEST_BIRTH_DATE.plusDays((long) (random.nextDouble() * span));
        }

        /**
         * Log-normal around $40, as basket sizes are; about a third use "charm" prices ending in .99.
         * StrictMath keeps the result bit-identical across JVMs, which Math.exp does not promise.
         */
        private BigDecimal amount() {
            double raw = StrictMath.exp(3.7 + 0.85 * random.nextGaussian());
            BigDecimal amount = random.nextInt(3) == 0
                    ? BigDecimal.valueOf((long) raw).add(new BigDecimal("0.99"))
                    : BigDecimal.valueOf(raw).setScale(2, RoundingMode.HALF_UP);
            return amount.max(MIN_AMOUNT).min(MAX_AMOUNT);
        }

        /** Recent orders are still in flight; older ones have mostly been delivered. */
        private String status(Instant createdAt) {
            long ageHours = Duration.between(createdAt, REFERENCE_INSTANT).toHours();
            int roll = random.nextInt(100);
            if (ageHours < 24) {
                return roll < 45 ? "pending" : roll < 90 ? "paid" : "cancelled";
            }
            if (ageHours < 24 * 7) {
                return roll < 5 ? "pending" : roll < 25 ? "paid" : roll < 85 ? "shipped" : "cancelled";
            }
            return roll < 82 ? "delivered" : roll < 90 ? "cancelled" : roll < 97 ? "refunded" : "shipped";
        }

        private int weightedIndex(double[] cumulativeWeight, double total) {
            double target = random.nextDouble() * total;
            int index = Arrays.binarySearch(cumulativeWeight, target);
            return index >= 0 ? index : Math.min(-index - 1, cumulativeWeight.length - 1);
        }

        private <T> T pick(List<T> values) {
            return values.get(random.nextInt(values.size()));
        }

        /** "Siobhán O'Brien" → "siobhan", "obrien": what people actually type into mail addresses. */
        private static String asciiLower(String name) {
            String decomposed = Normalizer.normalize(name, Normalizer.Form.NFD);
            return decomposed.replaceAll("\\p{M}", "").replaceAll("[^A-Za-z]", "").toLowerCase(Locale.ROOT);
        }

        private record City(String name, int... areaCodes) {
        }
    }
}
