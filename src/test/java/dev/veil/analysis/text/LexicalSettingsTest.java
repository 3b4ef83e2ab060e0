package dev.veil.analysis.text;

import dev.veil.analysis.Dialect;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The settings key the analysis cache and the text-reading memo: equal exactly when every field is. */
class LexicalSettingsTest {

    @Test
    void settingsAreEqualExactlyWhenEveryFieldIsAndEqualOnesHashAlike() {
        List<LexicalSettings> all = new ArrayList<>();
        for (Dialect d : Dialect.values()) {
            for (int bits = 0; bits < 8; bits++) {
                all.add(new LexicalSettings(d, (bits & 4) != 0, (bits & 2) != 0, (bits & 1) != 0));
            }
        }
        for (LexicalSettings a : all) {
            for (LexicalSettings b : all) {
                LexicalSettings copy = new LexicalSettings(b.dialect(), b.standardConformingStrings(), b.backslashEscapes(), b.ansiQuotes());
                boolean same = a.dialect() == b.dialect() && a.standardConformingStrings() == b.standardConformingStrings()
                        && a.backslashEscapes() == b.backslashEscapes() && a.ansiQuotes() == b.ansiQuotes();
                assertThat(a.equals(copy)).as("%s vs %s", a, b).isEqualTo(same);
                if (same) {
                    assertThat(a.hashCode()).isEqualTo(copy.hashCode());
                }
            }
            assertThat(a.equals(null)).isFalse();
        }
        assertThat(all.stream().map(LexicalSettings::hashCode).distinct()).hasSize(all.size());
    }
}
