package dev.veil.masking;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskerTest {
    @Test
    void readsEveryNameAPolicyMayWrite() {
        assertThat(Masker.parse("redact")).isEqualTo(new Masker.Redact());
        assertThat(Masker.parse("partial")).isEqualTo(new Masker.Partial(4));
        assertThat(Masker.parse("partial(2)")).isEqualTo(new Masker.Partial(2));
        assertThat(Masker.parse(" Email ")).isEqualTo(new Masker.Email());
        assertThat(Masker.parse("pseudonym")).isEqualTo(new Masker.Pseudonym());
        assertThat(Masker.parse("hash")).isEqualTo(new Masker.Hash());
        assertThat(Masker.parse("nullify")).isEqualTo(new Masker.Nullify());
        assertThat(Masker.parse("date-to-year")).isEqualTo(new Masker.DateToYear());
        assertThat(Masker.parse("fixed(n/a)")).isEqualTo(new Masker.Fixed("n/a"));
        assertThat(Masker.parse("fixed(a, (b))")).isEqualTo(new Masker.Fixed("a, (b)"));
    }

    @Test
    void anUnknownNameIsRefusedWithTheNamesThatExist() {
        assertThatThrownBy(() -> Masker.parse("scramble"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown masker 'scramble'")
                .hasMessageContaining("redact, partial(N), email, pseudonym, hash, nullify, date-to-year or fixed(value)");
    }

    @Test
    void badParametersAreRefusedSayingWhatIsExpected() {
        assertThatThrownBy(() -> Masker.parse("partial(-1)")).hasMessageContaining("partial(N) keeps N characters");
        assertThatThrownBy(() -> Masker.parse("partial(x)")).hasMessageContaining("partial(N) keeps N characters");
        assertThatThrownBy(() -> Masker.parse("partial(4")).hasMessageContaining("ends with ')'");
        assertThatThrownBy(() -> Masker.parse("fixed")).hasMessageContaining("fixed needs its value");
        assertThatThrownBy(() -> Masker.parse("redact(3)")).hasMessageContaining("takes no parameter");
    }
}
