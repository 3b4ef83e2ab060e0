package dev.veil.admin;

import dev.veil.analysis.Dialect;
import dev.veil.analysis.catalog.CatalogSnapshot;
import dev.veil.analysis.catalog.ColumnInfo;
import dev.veil.analysis.catalog.RelationInfo;
import dev.veil.classification.ColumnClassification;
import dev.veil.classification.TagEvidence;
import dev.veil.policy.TagRules;
import dev.veil.upstream.catalog.CatalogStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One catalog as {@code GET /api/v1/catalog} and {@code veil catalog} show it: its relations (the system catalogs
 * left out) and columns, each column with its effective tags (the classifier's, then the policy file's tags
 * section), their confidence and evidence.
 */
public final class CatalogJson {
    private CatalogJson() {
    }

    public static Map<String, Object> of(String upstream, String database, CatalogSnapshot snapshot, CatalogStatus status,
                                         TagRules policyTags) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("upstream", upstream);
        out.put("database", database);
        out.put("dialect", snapshot.dialect() == Dialect.MYSQL ? "mysql" : "postgresql");
        out.put("version", snapshot.version());
        if (status != null) {
            out.put("stale", status.stale());
            out.put("ageSeconds", Math.round(status.ageSeconds()));
        }
        List<Map<String, Object>> relations = new ArrayList<>();
        for (RelationInfo r : snapshot.userRelations()) {
            Map<String, Object> rel = new LinkedHashMap<>();
            rel.put("schema", r.schema());
            rel.put("name", r.name());
            rel.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
            List<Map<String, Object>> columns = new ArrayList<>();
            for (ColumnInfo c : r.columns()) {
                ColumnClassification tags = policyTags.apply(r.schema(), r.name(), c.name(),
                        snapshot.tags().of(r.schema(), r.name(), c.name()));
                Map<String, Object> col = new LinkedHashMap<>();
                col.put("name", c.name());
                col.put("type", c.type());
                col.put("tags", tags(tags));
                columns.add(col);
            }
            rel.put("columns", columns);
            relations.add(rel);
        }
        out.put("relations", relations);
        return out;
    }

    private static List<Map<String, Object>> tags(ColumnClassification c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (TagEvidence t : c.tags()) {
            Map<String, Object> tag = new LinkedHashMap<>();
            tag.put("tag", t.tag().label());
            tag.put("confidence", t.confidence());
            tag.put("evidence", t.evidence());
            out.add(tag);
        }
        return out;
    }
}
