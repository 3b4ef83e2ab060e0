package dev.veil.policy;

import dev.veil.analysis.Dialect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The evasion suite's cases (src/test/resources/policy/evasion-cases.txt), for one dialect. */
public final class EvasionCases {
    /** One statement and whether a role under guardrails must be refused it. */
    public record Case(int line, String sql, boolean refused) {
        @Override
        public String toString() {
            return "line " + line + ": " + sql;
        }
    }

    private EvasionCases() {
    }

    public static List<Case> of(Dialect dialect) {
        String wanted = dialect == Dialect.POSTGRESQL ? "pg" : "my";
        List<Case> out = new ArrayList<>();
        try (InputStream in = EvasionCases.class.getResourceAsStream("/policy/evasion-cases.txt")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", 3);
                if (f.length != 3 || !List.of("pg", "my", "both").contains(f[0]) || !List.of("refuse", "allow").contains(f[1])) {
                    throw new IllegalStateException("evasion-cases.txt line " + (i + 1) + " is not dialects TAB refuse|allow TAB sql");
                }
                if (f[0].equals("both") || f[0].equals(wanted)) {
                    out.add(new Case(i + 1, unescape(f[2]), f[1].equals("refuse")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** \n and \t stand for a line break and a tab; \\ for a backslash. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && "nt\\".indexOf(s.charAt(i + 1)) >= 0) {
                char n = s.charAt(++i);
                out.append(n == 'n' ? '\n' : n == 't' ? '\t' : '\\');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
