package dev.veil.masking;

import dev.veil.masking.ColumnType.Kind;
import dev.veil.masking.ColumnType.Wire;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte shortcut for email and partial on ASCII text must give exactly what the general path (decode, mask,
 * fit, encode) gives, for every value it takes, and must leave every other value to the general path.
 */
class AsciiTextMasksTest {
    private static final MaskFunctions FUNCTIONS = new MaskFunctions(new byte[32]);
    private static final String ALPHABET = "ab9@.-_ xZ@";

    @Test
    void emailAndPartialOnAsciiTextMatchTheGeneralPath() {
        Random random = new Random(1206);
        List<Masker> maskers = List.of(new Masker.Email(), new Masker.Partial(0), new Masker.Partial(4),
                new Masker.Partial(20));
        List<ColumnType> types = List.of(ColumnType.of(Kind.TEXT, Wire.PG_TEXT, 25),
                ColumnType.of(Kind.TEXT, Wire.PG_TEXT, 1043).withLimits(12, -1),
                ColumnType.of(Kind.TEXT, Wire.MYSQL_TEXT, 253).withLimits(10, 40));
        int shortcuts = 0;
        for (int round = 0; round < 5000; round++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(16);
            for (int i = 0; i < length; i++) {
                s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            byte[] value = s.toString().getBytes(StandardCharsets.UTF_8);
            Masker masker = maskers.get(random.nextInt(maskers.size()));
            ColumnType type = types.get(random.nextInt(types.size()));
            byte[] quick = AsciiTextMasks.mask(masker, type, value);
            if (quick != null) {
                shortcuts++;
                assertThat(new String(quick, StandardCharsets.UTF_8)).as("%s of '%s' in %s", masker, s, type)
                        .isEqualTo(new String(FUNCTIONS.decoded(masker, type, value), StandardCharsets.UTF_8));
            }
        }
        assertThat(shortcuts).as("values the shortcut took").isGreaterThan(2500);
    }

    @Test
    void leavesEverythingElseToTheGeneralPath() {
        ColumnType text = ColumnType.of(Kind.TEXT, Wire.PG_TEXT, 25);
        byte[] ascii = "someone@example.com".getBytes(StandardCharsets.UTF_8);
        assertThat(AsciiTextMasks.mask(new Masker.Email(), text, "jö@example.com".getBytes(StandardCharsets.UTF_8)))
                .as("not ASCII").isNull();
        assertThat(AsciiTextMasks.mask(new Masker.Email(), text, "no-address".getBytes(StandardCharsets.UTF_8)))
                .as("not an address: redacted by the general path").isNull();
        assertThat(AsciiTextMasks.mask(new Masker.Partial(4), text.withPadding(true).withLimits(30, -1), ascii))
                .as("bpchar").isNull();
        assertThat(AsciiTextMasks.mask(new Masker.Partial(4), text.withLimits(5, -1), ascii)).as("longer than its column")
                .isNull();
        assertThat(AsciiTextMasks.mask(new Masker.Partial(4), text.withCharset(StandardCharsets.ISO_8859_1), ascii))
                .as("another character set").isNull();
        assertThat(AsciiTextMasks.mask(new Masker.Partial(4), ColumnType.of(Kind.TEXT, Wire.PG_BINARY, 25), ascii))
                .as("binary format").isNull();
        assertThat(AsciiTextMasks.mask(new Masker.Redact(), text, ascii)).as("another masker").isNull();
        assertThat(AsciiTextMasks.mask(new Masker.Partial(4), ColumnType.of(Kind.INTEGER, Wire.PG_TEXT, 23),
                "12345".getBytes(StandardCharsets.UTF_8))).as("a number").isNull();
    }

    @Test
    void masksTheBytesBeforeTheDomainOrTheKeptEnd() {
        ColumnType text = ColumnType.of(Kind.TEXT, Wire.PG_TEXT, 25);
        assertThat(new String(FUNCTIONS.apply(new Masker.Email(), text, "a.b@x@example.com".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("xxxxx@example.com");
        assertThat(new String(FUNCTIONS.apply(new Masker.Partial(4), text, "101-11-1001".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("xxxxxxx1001");
        assertThat(new String(FUNCTIONS.apply(new Masker.Partial(4), text, "1001".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).as("no longer than what it keeps: masked whole").isEqualTo("xxxx");
    }
}
