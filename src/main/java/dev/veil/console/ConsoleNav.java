package dev.veil.console;

import io.quarkus.qute.TemplateData;

import java.util.List;

/**
 * The console's pages as the navigation lists them, in order. A new page is one more entry here and a resource of
 * its own under {@code /console}; the layout template renders this list.
 */
public final class ConsoleNav {
    @TemplateData
    public record Item(String path, String label) {
    }

    static final List<Item> ITEMS = List.of(
            new Item("/console/approvals", "Approvals"),
            new Item("/console/access", "Access"),
            new Item("/console/audit", "Audit"),
            new Item("/console/sessions", "Sessions"),
            new Item("/console/policy", "Policy"),
            new Item("/console/catalog", "Catalog"));

    private ConsoleNav() {
    }
}
