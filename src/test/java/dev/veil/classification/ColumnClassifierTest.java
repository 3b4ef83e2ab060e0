package dev.veil.classification;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColumnClassifierTest {
    private static ColumnClassification of(String name, String type, List<String> values) {
        return ColumnClassifier.classify(new ColumnFacts(name, type, ""), values);
    }

    private static List<String> repeat(String value, int times) {
        return new ArrayList<>(Collections.nCopies(times, value));
    }

    @Test
    void aNameAloneTagsWithTheNameConfidence() {
        ColumnClassification c = of("customerEmail", "varchar", List.of());
        TagEvidence email = c.tag(Tag.EMAIL).orElseThrow();
        assertEquals(ColumnClassifier.NAME, email.confidence());
        assertEquals(List.of("name: customerEmail (email)"), email.evidence());
        assertEquals(List.of("email"), c.labels());
    }

    @Test
    void namesInSnakeCamelAndOtherLanguagesAreRecognised() {
        assertEquals(List.of("phone"), of("TELEFONO_MOVIL", "varchar", List.of()).labels());
        assertEquals(List.of("person_name"), of("Nachname", "varchar", List.of()).labels());
        assertEquals(List.of("date_of_birth"), of("dateOfBirth", "date", List.of()).labels());
        assertEquals(List.of("national_id"), of("ssn", "varchar", List.of()).labels());
        assertEquals(List.of("credit_card"), of("card_number", "varchar", List.of()).labels());
        assertEquals(List.of("secret"), of("password_hash", "text", List.of()).labels());
        assertEquals(List.of("secret"), of("APIKey", "text", List.of()).labels());
        assertEquals(List.of("ip_address"), of("last_login_ip", "varchar", List.of()).labels());
        assertEquals(List.of("free_text"), of("notes", "text", List.of()).labels());
        assertEquals(List.of("iban"), of("iban", "varchar", List.of()).labels());
    }

    @Test
    void namesThatDescribeSomethingElseOrTypesThatCannotHoldItAreNotTagged() {
        assertEquals(List.of(), of("email_verified", "bool", List.of()).labels());
        assertEquals(List.of(), of("address_id", "int4", List.of()).labels());
        assertEquals(List.of(), of("phone_type", "varchar", List.of()).labels());
        assertEquals(List.of(), of("hotel_name", "varchar", List.of()).labels());
        assertEquals(List.of(), of("status", "varchar", List.of()).labels());
        assertEquals(List.of(), of("company", "varchar", List.of()).labels());
        assertEquals(List.of("email"), of("email_address", "varchar", List.of()).labels(), "not a postal address");
    }

    @Test
    void aCommentAndAnInetTypeAreEvidence() {
        ColumnClassification c = ColumnClassifier.classify(new ColumnFacts("c7", "text", "Customer e-mail, verified"), List.of());
        assertEquals(List.of("comment: \"Customer e-mail, verified\""), c.tag(Tag.EMAIL).orElseThrow().evidence());
        assertEquals(ColumnClassifier.COMMENT, c.tag(Tag.EMAIL).orElseThrow().confidence());
        assertEquals(List.of("ip_address"), of("origin", "inet", List.of()).labels());
    }

    @Test
    void valuesAloneTagAColumnWithANeutralName() {
        List<String> values = repeat("4111111111111111", 10);
        ColumnClassification c = of("c1", "varchar", values);
        TagEvidence card = c.tag(Tag.CREDIT_CARD).orElseThrow();
        assertEquals(0.9, card.confidence());
        assertEquals(List.of("values: 10 of 10 sampled values are card numbers with a valid Luhn check digit"), card.evidence());
    }

    @Test
    void nameAndValuesTogetherAreSurerThanEitherAlone() {
        List<String> values = repeat("ann@example.com", 8);
        values.addAll(repeat("unknown", 2));
        double both = of("email", "varchar", values).tag(Tag.EMAIL).orElseThrow().confidence();
        double valuesOnly = of("c1", "varchar", values).tag(Tag.EMAIL).orElseThrow().confidence();
        double nameOnly = of("email", "varchar", List.of()).tag(Tag.EMAIL).orElseThrow().confidence();
        assertTrue(both > valuesOnly && both > nameOnly, both + " " + valuesOnly + " " + nameOnly);
        assertTrue(valuesOnly > nameOnly);
    }

    @Test
    void valuesBelowTheShareOrTooFewMatchesDoNotTag() {
        List<String> values = repeat("a long note without anything in it", 9);
        values.add("ann@example.com");
        assertEquals(List.of(), of("c1", "varchar", values).labels(), "one stray e-mail address");
        List<String> half = repeat("ann@example.com", 5);
        half.addAll(repeat("n/a", 5));
        assertEquals(List.of(), of("c1", "varchar", half).labels(), "50% is below the share");
        assertEquals(List.of(), of("c1", "varchar", repeat("ann@example.com", 2)).labels(), "two matches are too few");
        assertEquals(List.of("email"), of("c1", "varchar", repeat("ann@example.com", 3)).labels());
    }

    @Test
    void randomIdsDoNotLookLikeCardsOrPhones() {
        List<String> ids = new ArrayList<>();
        for (long i = 0; i < 100; i++) {
            ids.add(Long.toString(4_000_000_000_000_000L + i * 7919));
        }
        assertEquals(List.of(), of("ref", "int8", ids).labels());
    }

    @Test
    void orderStatusesAreNotTagged() {
        assertEquals(List.of(), of("status", "varchar", List.of("shipped", "paid", "pending", "cancelled", "shipped")).labels());
    }
}
