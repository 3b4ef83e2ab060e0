package dev.veil.console;

import dev.veil.audit.AuditCodec;
import dev.veil.audit.AuditSource;
import dev.veil.audit.EvidenceReport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The SOC 2 evidence as {@code veil audit report} writes it ({@link EvidenceReport}: soc2-evidence.json and one CSV
 * per section), packed into one zip for a browser download. Built in a temporary directory, removed afterwards.
 */
final class EvidenceZip {
    private EvidenceZip() {
    }

    static byte[] of(AuditSource source, Instant from, Instant to) throws IOException {
        Path dir = Files.createTempDirectory("veil-evidence");
        try {
            EvidenceReport report = new EvidenceReport();
            List<Path> files = report.write(report.build(source, from, to), dir, new AuditCodec().mapper());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (Path f : files) {
                    zip.putNextEntry(new ZipEntry(f.getFileName().toString()));
                    Files.copy(f, (OutputStream) zip);
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
