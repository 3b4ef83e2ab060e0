package dev.veil.masking.leak;

import dev.veil.analysis.Dialect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The leak suite's evasion queries (src/test/resources/masking/leak-cases.txt), for one dialect. A line is
 * {@code dialects TAB role TAB steps}: dialects pg, my or both; role analyst or engineer (both masked by the demo
 * policy; the engineer may write); the steps run in order on one connection, separated by {@code " ;; "}. A step
 * {@code copy:…} runs through pgjdbc's CopyManager, {@code prep:…} as a prepared statement whose parameters are all
 * 990000. Steps starting with {@code ~}: a transformation the scanner cannot recognise, so the masked role's
 * answer must also differ from admin's. A comment line {@code ## name} names the group of the lines below it.
 */
final class LeakCases {
    static final String STEPS = " ;; ";

    record Case(int line, String group, String role, List<String> steps, boolean mustDiffer) {
        boolean simple() {
            return steps.size() == 1 && !steps.get(0).startsWith("copy:") && !steps.get(0).startsWith("prep:");
        }

        String sql() {
            return String.join(STEPS, steps);
        }

        @Override
        public String toString() {
            return "line " + line + " (" + group + ", " + role + "): " + sql();
        }
    }

    private LeakCases() {
    }

    static List<Case> of(Dialect dialect) {
        String wanted = dialect == Dialect.POSTGRESQL ? "pg" : "my";
        List<Case> out = new ArrayList<>();
        String group = "?";
        try (InputStream in = LeakCases.class.getResourceAsStream("/masking/leak-cases.txt")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.startsWith("## ")) {
                    group = line.substring(3).trim();
                    continue;
                }
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", 3);
                if (f.length != 3 || !List.of("pg", "my", "both").contains(f[0]) || !List.of("analyst", "engineer").contains(f[1])) {
                    throw new IllegalStateException("leak-cases.txt line " + (i + 1) + " is not dialects TAB analyst|engineer TAB sql");
                }
                if (f[0].equals("both") || f[0].equals(wanted)) {
                    boolean differ = f[2].startsWith("~");
                    String sql = unescape(differ ? f[2].substring(1) : f[2]);
                    out.add(new Case(i + 1, group, f[1], Arrays.asList(sql.split(STEPS)), differ));
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
