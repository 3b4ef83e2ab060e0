package dev.veil.upstream.catalog;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.NameResolution;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.classification.Tag;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Tags across catalog loads: names at once, values after sampling, unchanged tables not sampled again. */
class CatalogTaggerTest {
    private final CatalogTagger tagger = new CatalogTagger();

    private static LoadedCatalog load(long version, ColumnInfo... contactColumns) {
        CatalogSnapshot s = CatalogSnapshot.builder(Dialect.POSTGRESQL, "shop").version(version)
                .table("public", "contacts", contactColumns)
                .table("public", "orders", new ColumnInfo("id", "int8", false), new ColumnInfo("status", "varchar", false))
                .view("public", "v", "SELECT c1 FROM contacts", new ColumnInfo("c1", "varchar", true))
                .build();
        return new LoadedCatalog(s, NameResolution.postgres("shop"));
    }

    private static Map<List<String>, Map<String, List<String>>> sample(String contactsValue) {
        return Map.of(List.of("public", "contacts"), Map.of("c1", Collections.nCopies(20, contactsValue)),
                List.of("public", "orders"), Map.of("id", List.of("1", "2", "3"), "status", List.of("paid", "shipped", "paid")));
    }

    @Test
    void aNewSnapshotIsTaggedByNamesAtOnceAndByValuesOnceSampled() {
        LoadedCatalog first = tagger.initial(load(1, new ColumnInfo("email", "varchar", false),
                new ColumnInfo("c1", "varchar", true)));
        assertThat(first.snapshot().tags().of("public", "contacts", "email").labels()).containsExactly("email");
        assertThat(first.snapshot().tags().of("public", "contacts", "c1").labels()).isEmpty();
        assertThat(tagger.toSample(first.snapshot())).extracting(RelationInfo::name).containsExactly("contacts", "orders");

        LoadedCatalog sampled = tagger.sampled(first, sample("+44 20 7946 0958"), 2);
        assertThat(sampled.snapshot().version()).isEqualTo(2);
        assertThat(sampled.snapshot().tags().of("public", "contacts", "c1").labels()).containsExactly("phone");
        assertThat(sampled.snapshot().tags().of("public", "orders", "status").labels()).isEmpty();
        assertThat(first.snapshot().tags().of("public", "contacts", "c1").labels()).as("snapshots are immutable").isEmpty();
    }

    @Test
    void aRefreshKeepsTheSampledTagsOfUnchangedTablesAndSamplesOnlyChangedOnes() {
        ColumnInfo[] columns = {new ColumnInfo("c1", "varchar", true)};
        LoadedCatalog first = tagger.initial(load(1, columns));
        tagger.sampled(first, sample("4111 1111 1111 1111"), 2);

        LoadedCatalog refreshed = tagger.initial(load(3, columns));
        assertThat(tagger.toSample(refreshed.snapshot())).isEmpty();
        assertThat(refreshed.snapshot().tags().of("public", "contacts", "c1").tag(Tag.CREDIT_CARD)).isPresent();

        // DDL: a column added to contacts. Its earlier tags no longer hold; it is sampled again, orders is not.
        LoadedCatalog altered = tagger.initial(load(4, new ColumnInfo("c1", "varchar", true),
                new ColumnInfo("note", "text", true)));
        assertThat(tagger.toSample(altered.snapshot())).extracting(RelationInfo::name).containsExactly("contacts");
        assertThat(altered.snapshot().tags().of("public", "contacts", "c1").labels()).isEmpty();
        assertThat(altered.snapshot().tags().of("public", "contacts", "note").labels()).containsExactly("free_text");
    }

    @Test
    void aTableThatWasEmptyWhenSampledIsSampledAgainAtTheNextRead() {
        ColumnInfo[] columns = {new ColumnInfo("c1", "varchar", true)};
        LoadedCatalog first = tagger.initial(load(1, columns));
        tagger.sampled(first, Map.of(List.of("public", "contacts"), Map.of("c1", List.of())), 2);
        assertThat(tagger.toSample(tagger.initial(load(3, columns)).snapshot())).extracting(RelationInfo::name)
                .containsExactly("contacts", "orders");
    }
}
