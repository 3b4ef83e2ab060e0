package dev.veil.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.analysis.AnalysisCache;
import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.ShopCatalog;
import dev.veil.analysis.StatementAnalyzer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AnalysisJsonTest {
    private final AnalysisCache analyses = new AnalysisCache(new StatementAnalyzer(), 100);
    private final ObjectMapper json = new ObjectMapper();

    private String analysed(String sql) throws Exception {
        return json.writeValueAsString(AnalysisJson.of(
                analyses.analyze(Dialect.POSTGRESQL, ShopCatalog.postgres(), NameResolution.postgres("shop"), sql)));
    }

    @Test
    void fieldsComeOutInTheSameOrderEveryTimeAsTheReadmeShowsThem() throws Exception {
        String out = analysed("SELECT upper(email) AS email FROM customers WHERE id = 1");

        assertThat(out)
                .contains("{\"relation\":\"public.customers\",\"action\":\"READ\"}")
                .contains("\"origins\":[{\"column\":\"public.customers.email\",\"derived\":true}]")
                .contains("{\"column\":\"public.customers.id\",\"usage\":\"");
        for (int i = 0; i < 5; i++) {
            assertThat(analysed("SELECT upper(email) AS email FROM customers WHERE id = 1")).isEqualTo(out);
        }
    }
}
