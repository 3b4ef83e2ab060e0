package dev.veil.frontend.pg;

import dev.veil.protocol.pg.PgFrame;
import dev.veil.protocol.pg.RowDescription;
import dev.veil.rewrite.ResultColumn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each prepared statement's and portal's result columns are, as the extended protocol says them, for the
 * masking of rows that come without a RowDescription: an Execute sends only DataRows; the description came
 * from an earlier Describe of the portal, or of the statement (whose RowDescription gives format 0 for every
 * column: the formats are the portal's, from its Bind's result format codes). Describe answers come in the
 * order the Describes were sent; the ones after an error, up to Sync, are never answered.
 */
final class PgResultColumns {
    /** A statement's description, filled when its Describe is answered; a Parse of the same name makes a new one. */
    static final class Described {
        List<RowDescription.Field> fields;
    }

    /** A portal's columns: its own Describe's, else its statement's in the formats its Bind asked for. */
    static final class Portal {
        private final Described statement;
        private final short[] formats;
        private List<ResultColumn> described;

        Portal(Described statement, short[] formats) {
            this.statement = statement;
            this.formats = formats;
        }

        /** The columns as known now, or null when neither the portal nor its statement was described. */
        List<ResultColumn> columns() {
            if (described != null) {
                return described;
            }
            if (statement == null || statement.fields == null) {
                return null;
            }
            List<ResultColumn> out = new ArrayList<>(statement.fields.size());
            for (int i = 0; i < statement.fields.size(); i++) {
                RowDescription.Field f = statement.fields.get(i);
                out.add(ResultColumn.postgres(f.name(), f.typeOid(), f.typeModifier(), format(i)));
            }
            return out;
        }

        private ResultColumn.Format format(int column) {
            int code = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : column < formats.length ? formats[column] : 0;
            return code == 1 ? ResultColumn.Format.BINARY : ResultColumn.Format.TEXT;
        }
    }

    private record Target(Described statement, Portal portal) {
    }

    private final Map<String, Described> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();
    private final ArrayDeque<Target> describes = new ArrayDeque<>();

    void parsed(String statement) {
        statements.put(statement, new Described());
    }

    Portal bound(String portal, String statement, short[] resultFormats) {
        Portal p = new Portal(statements.get(statement), resultFormats);
        portals.put(portal, p);
        return p;
    }

    /** A Describe 'D' went upstream: its answer is the next RowDescription / NoData of the batch. */
    void describing(PgFrame describe) {
        char kind = (char) describe.source().getByte(describe.start() + PgFrame.HEADER);
        int from = describe.start() + PgFrame.HEADER + 1;
        int nul = from;
        while (nul < describe.end() - 1 && describe.source().getByte(nul) != 0) {
            nul++;
        }
        String name = describe.source().getString(from, nul, StandardCharsets.UTF_8.name());
        describes.add(kind == 'S' ? new Target(statements.computeIfAbsent(name, n -> new Described()), null)
                : new Target(null, portals.get(name)));
    }

    void closed(char kind, String name) {
        if (kind == 'S') {
            statements.remove(name);
        } else {
            portals.remove(name);
        }
    }

    /** Whether a RowDescription / NoData arriving now answers a Describe (else it begins a simple query's result). */
    boolean awaitingDescribe() {
        return !describes.isEmpty();
    }

    /** The answer of the oldest Describe: a RowDescription 'T' or NoData 'n'. */
    void described(PgFrame frame) {
        Target t = describes.poll();
        if (t == null) {
            return;
        }
        List<RowDescription.Field> fields = frame.type() == RowDescription.TYPE ? RowDescription.decode(frame).fields() : List.of();
        if (t.statement() != null) {
            t.statement().fields = fields;
        } else if (t.portal() != null) {
            t.portal().described = fields.stream().map(f -> ResultColumn.postgres(f.name(), f.typeOid(), f.typeModifier(),
                    f.binary() ? ResultColumn.Format.BINARY : ResultColumn.Format.TEXT)).toList();
        }
    }

    /** An error or ReadyForQuery: the Describes still unanswered were skipped. */
    void batchEnded() {
        describes.clear();
    }

    void clearPortals() {
        portals.clear();
    }
}
