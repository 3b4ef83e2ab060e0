package dev.veil.upstream.catalog;

/**
 * The state of one (upstream, database) catalog for operators. {@code stale}: statements are analysed with a
 * snapshot known to be out of date (DDL seen, or a read failed), or with none after a failed first read;
 * {@code problem}: why the last read failed, null after a success.
 */
public record CatalogStatus(String upstream, String database, boolean loaded, boolean stale, long version,
                            double ageSeconds, String problem) {
}
