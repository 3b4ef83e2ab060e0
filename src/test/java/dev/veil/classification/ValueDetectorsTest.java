package dev.veil.classification;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueDetectorsTest {
    @ParameterizedTest
    @ValueSource(strings = {"4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005",
            "6011111111111117"})
    void cardNumbersWithAValidLuhnDigitAreCards(String v) {
        assertTrue(new CardNumberDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111112", "5500000000000005", "0000000000000000", "4444444444444444", "411111111111",
            "91111111111111111", "4111-1111-1111-111x", "12345"})
    void luhnFailuresShortNumbersAndUnusedIssuersAreNotCards(String v) {
        assertFalse(new CardNumberDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606",
            "gb82west12345698765432"})
    void ibansWithAValidCheckAreIbans(String v) {
        assertTrue(new IbanDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89370400440532013001", "GB83WEST12345698765432", "DE8937040044053201300", "XX89370400440532013000"})
    void ibansWithABadCheckOrLengthAreNot(String v) {
        assertFalse(new IbanDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"123-45-6789", "001-01-0001", "899 99 9999", "665-12-3456", "AB123456C", "AB 12 34 56 C"})
    void nationalIdsFollowingTheIssuingRulesAreIds(String v) {
        assertTrue(new NationalIdDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000",
            "078-05-1120", "123456789", "123-45 6789", "GB123456A", "AB123456E", "DA123456A"})
    void ssnAreas000And666And9xxZeroGroupsOrSerialsAndBadNinoPrefixesAreNot(String v) {
        assertFalse(new NationalIdDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+1 415-555-0132", "(212) 555-0199", "+44 20 7946 0958", "+49 30 901820", "+33 1 42 68 53 00"})
    void phoneNumbersValidInTheirPlanArePhones(String v) {
        assertTrue(new PhoneDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4155550132", "+1 015-555-0132", "123-45-6789", "555-01", "12.50", "2024-01-31", "+999 1234567"})
    void bareDigitsNumbersOutsideAPlanAndDatesAreNotPhones(String v) {
        assertFalse(new PhoneDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ann.lee@example.com", "a+tag@mail.example.org", "x@sub.example.co.uk"})
    void emailAddressesAreEmails(String v) {
        assertTrue(new EmailDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ann.lee@", "@example.com", "ann lee@example.com", "ann@example", "ann@example.invalidtld",
            "shipped"})
    void nearMissesAreNotEmails(String v) {
        assertFalse(new EmailDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.0.1", "10.0.0.0/8", "2001:db8::1", "::1"})
    void ipAddressesAreIps(String v) {
        assertTrue(new IpAddressDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"256.1.1.1", "1.2.3", "2001:db8:::1", "v1.2.3.4"})
    void nearMissesAreNotIps(String v) {
        assertFalse(new IpAddressDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
            "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy", "md5" + "0123456789abcdef0123456789abcdef",
            "-----BEGIN PRIVATE KEY-----\nMIIE", "AKIAIOSFODNN7EXAMPLE",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"})
    void credentialFormatsAreSecrets(String v) {
        assertTrue(new SecretDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hunter2", "$2b$12$short", "eyJhbGciOiJIUzI1NiJ9", "AKIA1234", "md5sum"})
    void ordinaryStringsAreNotSecrets(String v) {
        assertFalse(new SecretDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"12 Main St", "1600 Pennsylvania Avenue NW", "3 rue de la Paix", "Hauptstraße 5",
            "221B Baker Street, London"})
    void streetLinesAreAddresses(String v) {
        assertTrue(new StreetAddressDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Main Street", "shipped", "12 apples", "Boston"})
    void placesWithoutHouseNumbersAreNotAddresses(String v) {
        assertFalse(new StreetAddressDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Called the customer about the late delivery, she asked for a refund",
            "Ne pas appeler avant midi, préfère être contacté par courriel"})
    void proseIsFreeText(String v) {
        assertTrue(new FreeTextDetector().matches(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"shipped", "Ann Lee", "ann.lee@example.com", "a b c d e f g"})
    void shortValuesAreNotFreeText(String v) {
        assertFalse(new FreeTextDetector().matches(v));
    }
}
