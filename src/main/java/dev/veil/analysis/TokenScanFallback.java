package dev.veil.analysis;

import dev.veil.analysis.text.ConservativeScan;
import dev.veil.analysis.text.LexicalSettings;
import dev.veil.analysis.text.RelationRef;
import dev.veil.analysis.text.ScanResult;
import dev.veil.analysis.text.SqlTokenizer;

import java.util.ArrayList;
import java.util.List;

/** The fallback classification of the text package's conservative token scan. */
public final class TokenScanFallback implements FallbackClassifier {
    @Override
    public Fallback classify(Dialect dialect, String sql) {
        ScanResult scan = ConservativeScan.scan(new SqlTokenizer(LexicalSettings.defaults(dialect)).tokenize(sql));
        List<RelationAccess> relations = new ArrayList<>();
        for (RelationRef r : scan.relations()) {
            List<String> parts = r.parts();
            String schema = parts.size() > 1 ? parts.get(parts.size() - 2) : "";
            RelationAccess.Action action = switch (r.access()) {
                case READ -> RelationAccess.Action.READ;
                case WRITE -> RelationAccess.Action.WRITE;
                case DEFINE -> RelationAccess.Action.DEFINE;
            };
            relations.add(new RelationAccess(schema, r.simpleName(), action));
        }
        return new Fallback(scan.kind(), relations);
    }
}
