package dev.veil.demo;

import dev.veil.demo.ShopData.Customer;
import dev.veil.demo.ShopData.Order;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.Normalizer;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ShopDataTest {

    private static final ShopData DATA = ShopData.generate();

    @Test
    void generatesOneThousandCustomersAndTenThousandOrders() {
        assertThat(DATA.customers()).hasSize(1_000);
        assertThat(DATA.orders()).hasSize(10_000);
    }

    @Test
    void idsRunConsecutivelyFromOne() {
        for (int i = 0; i < DATA.customers().size(); i++) {
            assertThat(DATA.customers().get(i).id()).isEqualTo(i + 1);
        }
        for (int i = 0; i < DATA.orders().size(); i++) {
            assertThat(DATA.orders().get(i).id()).isEqualTo(i + 1L);
        }
    }

    @Test
    void everyCardNumberPassesLuhn() {
        assertThat(DATA.customers()).allSatisfy(c -> assertThat(passesLuhn(c.cardNumber()))
                .as("Luhn check of %s", c.cardNumber()).isTrue());
    }

    @Test
    void cardNumbersCarryRealisticIssuerPrefixesAndLengths() {
        assertThat(DATA.customers()).allSatisfy(c -> assertThat(c.cardNumber())
                .matches("4\\d{15}|5[1-5]\\d{14}|3[47]\\d{13}"));
        Map<Character, Long> byNetwork = DATA.customers().stream()
                .collect(Collectors.groupingBy(c -> c.cardNumber().charAt(0), Collectors.counting()));
        assertThat(byNetwork).containsOnlyKeys('3', '4', '5');
    }

    @Test
    void everySsnFollowsIssuanceRules() {
        assertThat(DATA.customers()).allSatisfy(c -> {
            assertThat(c.ssn()).matches("\\d{3}-\\d{2}-\\d{4}");
            String[] parts = c.ssn().split("-");
            int area = Integer.parseInt(parts[0]);
            assertThat(area).isNotIn(0, 666).isLessThan(900);
            assertThat(parts[1]).isNotEqualTo("00");
            assertThat(parts[2]).isNotEqualTo("0000");
        });
    }

    @Test
    void emailsAreUniqueAndDerivedFromTheName() {
        Set<String> emails = DATA.customers().stream().map(c -> c.email().toLowerCase()).collect(Collectors.toSet());
        assertThat(emails).hasSize(DATA.customers().size());
        assertThat(DATA.customers()).allSatisfy(c -> {
            assertThat(c.email()).matches("[a-z][a-z._]*\\d*@[a-z]+\\.[a-z]+");
            String lastName = c.fullName().substring(c.fullName().indexOf(' ') + 1);
            String typed = Normalizer.normalize(lastName, Normalizer.Form.NFD)
                    .replaceAll("[^A-Za-z]", "").toLowerCase(Locale.ROOT);
            assertThat(c.email().substring(0, c.email().indexOf('@'))).contains(typed);
        });
    }

    @Test
    void phoneNumbersAreUsNumbersInTheFictionalRange() {
        assertThat(DATA.customers()).allSatisfy(c -> assertThat(c.phone()).matches("\\+1 [2-9]\\d{2}-555-01\\d{2}"));
        assertThat(DATA.customers().stream().map(c -> c.phone().substring(3, 6)).distinct().count())
                .as("distinct area codes").isGreaterThan(20);
    }

    @Test
    void birthDatesFallBetween1950And2005() {
        assertThat(DATA.customers()).allSatisfy(c -> assertThat(c.birthDate())
                .isBetween(LocalDate.of(1950, 1, 1), LocalDate.of(2005, 12, 31)));
    }

    @Test
    void customersSignedUpWithinThreeYearsBeforeTheReferenceInstant() {
        assertThat(DATA.customers()).allSatisfy(c -> assertThat(c.createdAt())
                .isBetween(ShopData.REFERENCE_INSTANT.minus(Duration.ofDays(3 * 365)), ShopData.REFERENCE_INSTANT));
        assertThat(DATA.customers()).extracting(Customer::createdAt).isSorted();
    }

    @Test
    void everyOrderBelongsToACustomerWhoExistedWhenItWasPlaced() {
        Map<Integer, Customer> customers = DATA.customers().stream()
                .collect(Collectors.toMap(Customer::id, Function.identity()));
        assertThat(DATA.orders()).allSatisfy(o -> {
            assertThat(customers).containsKey(o.customerId());
            assertThat(o.createdAt()).isAfterOrEqualTo(customers.get(o.customerId()).createdAt())
                    .isBeforeOrEqualTo(ShopData.REFERENCE_INSTANT);
        });
        assertThat(DATA.orders()).extracting(Order::createdAt).isSorted();
    }

    @Test
    void amountsFitNumeric10Comma2AndArePlausible() {
        assertThat(DATA.orders()).allSatisfy(o -> {
            assertThat(o.amount().scale()).isEqualTo(2);
            assertThat(o.amount()).isBetween(new BigDecimal("1.00"), new BigDecimal("99999999.99"));
        });
        BigDecimal total = DATA.orders().stream().map(Order::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal mean = total.divide(BigDecimal.valueOf(DATA.orders().size()), RoundingMode.HALF_UP);
        assertThat(mean).isBetween(new BigDecimal("20"), new BigDecimal("150"));
    }

    @Test
    void statusesComeFromTheFixedSetAndAllOccur() {
        assertThat(DATA.orders()).extracting(Order::status).isSubsetOf(ShopData.ORDER_STATUSES);
        assertThat(DATA.orders()).extracting(Order::status).containsAll(ShopData.ORDER_STATUSES);
    }

    @Test
    void generatingTwiceYieldsIdenticalData() {
        ShopData again = ShopData.generate();
        assertThat(again.customers()).isEqualTo(DATA.customers());
        assertThat(again.orders()).isEqualTo(DATA.orders());
    }

    @Test
    void anotherSeedYieldsOtherData() {
        assertThat(ShopData.generate(42).customers()).isNotEqualTo(DATA.customers());
    }

    /** Written independently of the generator: from the right, double every second digit, sum, divisible by 10. */
    private static boolean passesLuhn(String number) {
        int sum = 0;
        boolean doubleIt = false;
        for (int i = number.length() - 1; i >= 0; i--) {
            int digit = Character.digit(number.charAt(i), 10);
            if (doubleIt) {
                digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            }
            sum += digit;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}
