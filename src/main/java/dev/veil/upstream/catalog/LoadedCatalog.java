package dev.veil.upstream.catalog;

import dev.veil.analysis.NameResolution;
import dev.veil.analysis.catalog.CatalogSnapshot;

/**
 * A catalog snapshot read from an upstream, with the name resolution a new session starts with there (the
 * login role's search_path, or the connection's database for MySQL).
 */
public record LoadedCatalog(CatalogSnapshot snapshot, NameResolution defaultNames) {
}
