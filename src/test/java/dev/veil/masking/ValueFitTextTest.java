package dev.veil.masking;

import dev.veil.masking.ColumnType.Kind;
import dev.veil.masking.ColumnType.Wire;
import org.junit.jupiter.api.Test;

import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fitting masked text to its column. {@link ValueFit#text} sizes UTF-8 by arithmetic and returns unlimited text
 * as it is (it runs for every masked value); these tests hold it to the character-by-character definition
 * (encode each character in the column's set, '?' where it cannot, stop at the first that does not fit).
 */
class ValueFitTextTest {
    private static final ColumnType TEXT = ColumnType.of(Kind.TEXT, Wire.PG_TEXT, 25);
    private static final String SAMPLE_CHARS = "ab@.1 éßЖ中語😀\uD800\uDC00\uDFFF\uD83D";

    @Test
    void unlimitedUtf8TextComesBackUnchanged() {
        String s = "xxxxxxx@example.com";
        assertThat(ValueFit.text(TEXT, s)).isSameAs(s);
    }

    @Test
    void aLoneSurrogateBecomesAQuestionMarkEvenWithoutLimits() {
        assertThat(ValueFit.text(TEXT, "a\uD800b")).isEqualTo("a?b");
        assertThat(ValueFit.text(TEXT, "a\uDC00")).isEqualTo("a?");
    }

    @Test
    void utf8TextIsCutAtTheColumnsBytesWithoutSplittingACharacter() {
        ColumnType fiveBytes = TEXT.withLimits(-1, 5);
        assertThat(ValueFit.text(fiveBytes, "中語x")).isEqualTo("中");
        assertThat(ValueFit.text(fiveBytes, "ab😀")).isEqualTo("ab");
        assertThat(ValueFit.text(fiveBytes, "a😀")).isEqualTo("a😀");
    }

    @Test
    void bpcharIsCutAndPaddedToItsCharacters() {
        ColumnType bpchar4 = TEXT.withLimits(4, -1).withPadding(true);
        assertThat(ValueFit.text(bpchar4, "xxxxx1001")).isEqualTo("xxxx");
        assertThat(ValueFit.text(bpchar4, "é")).isEqualTo("é   ");
    }

    @Test
    void everyCharsetAndLimitAgreesWithTheCharacterByCharacterDefinition() {
        Random random = new Random(20261206);
        List<Charset> charsets = List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1, StandardCharsets.US_ASCII,
                StandardCharsets.UTF_16BE, Charset.forName("windows-1251"), Charset.forName("GBK"));
        for (int round = 0; round < 5000; round++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(12);
            while (s.length() < length) {
                int i = random.nextInt(SAMPLE_CHARS.length());
                s.append(SAMPLE_CHARS.charAt(i));
            }
            int maxChars = random.nextInt(4) == 0 ? -1 : random.nextInt(10);
            int maxBytes = random.nextInt(3) == 0 ? -1 : random.nextInt(20);
            ColumnType type = TEXT.withCharset(charsets.get(random.nextInt(charsets.size())))
                    .withLimits(maxChars, maxBytes).withPadding(random.nextBoolean());
            assertThat(ValueFit.text(type, s.toString()))
                    .as("%s in %s, %d chars, %d bytes, padded %s", s, type.charset(), maxChars, maxBytes, type.padded())
                    .isEqualTo(byDefinition(type, s.toString()));
        }
    }

    private static String byDefinition(ColumnType t, String s) {
        CharsetEncoder encoder = t.charset().newEncoder();
        StringBuilder out = new StringBuilder();
        int chars = 0;
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            String c = new String(Character.toChars(cp));
            if (!encoder.canEncode(c)) {
                c = "?";
            }
            int size = c.getBytes(t.charset()).length;
            if ((t.maxChars() >= 0 && chars + 1 > t.maxChars()) || (t.maxBytes() >= 0 && bytes + size > t.maxBytes())) {
                break;
            }
            out.append(c);
            chars++;
            bytes += size;
        }
        if (t.padded() && t.maxChars() > 0) {
            while (chars < t.maxChars()) {
                out.append(' ');
                chars++;
            }
        }
        return out.toString();
    }
}
