package dev.veil.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.calcite.rel.metadata.BuiltInMetadata;
import org.apache.calcite.runtime.CalciteResource;
import org.apache.calcite.util.BuiltInMethod;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native image's reflection, proxy and resource-bundle metadata for Calcite (which ships none), derived from the
 * Calcite on the class path, and checked to be what src/main/resources/META-INF/native-image/dev.veil/veil holds:
 * <ul>
 *   <li>{@link BuiltInMethod}'s constants look their methods, constructors and fields up by name when the enum
 *       initialises (metadata, Enumerable): each one is registered for query only;</li>
 *   <li>the metadata handlers: {@code ProxyingMetadataHandlerProvider} and {@code RelMetadataQueryBase} make a
 *       {@link java.lang.reflect.Proxy} of every {@code BuiltInMetadata.*.Handler}, and
 *       {@code ReflectiveRelMetadataProvider} finds and invokes the {@code RelMd*} methods (and Veil's own handlers')
 *       by reflection;</li>
 *   <li>the operator tables read their public fields by reflection; {@link CalciteResource} (every validation
 *       message) is a proxy over a resource bundle that builds its exceptions through their constructors.</li>
 * </ul>
 * After a Calcite upgrade run this test with {@code -Dveil.native.metadata.write=true} to rewrite the files.
 */
class CalciteNativeMetadataTest {
    private static final Path DIRECTORY = Path.of("src/main/resources/META-INF/native-image/dev.veil/veil");
    private static final List<String> VEIL_HANDLERS = List.of("dev.veil.analysis.lineage.AggregateOrigins",
            "dev.veil.analysis.lineage.RecursiveQueryOrigins");
    private static final List<String> OPERATOR_TABLES = List.of("org.apache.calcite.sql.fun.SqlStdOperatorTable",
            "org.apache.calcite.sql.fun.SqlLibraryOperators");

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Test
    void theNativeImageMetadataCoversCalcitesReflection() throws Exception {
        Map<String, String> expected = Map.of(
                "reflect-config.json", json.writeValueAsString(reflection()) + "\n",
                "proxy-config.json", json.writeValueAsString(proxies()) + "\n",
                "resource-config.json", json.writeValueAsString(bundles()) + "\n");
        if (Boolean.getBoolean("veil.native.metadata.write")) {
            Files.createDirectories(DIRECTORY);
            for (var e : expected.entrySet()) {
                Files.writeString(DIRECTORY.resolve(e.getKey()), e.getValue());
            }
        }
        for (var e : expected.entrySet()) {
            assertThat(DIRECTORY.resolve(e.getKey())).as("%s (regenerate: -Dveil.native.metadata.write=true)", e.getKey())
                    .hasContent(e.getValue());
        }
    }

    private static List<Map<String, Object>> reflection() throws Exception {
        Map<String, Map<String, Object>> types = new TreeMap<>();
        for (BuiltInMethod m : BuiltInMethod.values()) {
            if (m.method != null) {
                // Every overload of the name: a constant named without parameter types (isInf: float and double)
                // gets whichever one the JVM lists first, which differs between runs, and so would this file.
                for (Method overload : m.method.getDeclaringClass().getMethods()) {
                    if (overload.getName().equals(m.method.getName())) {
                        queried(types, overload.getDeclaringClass(), overload.getName(), overload.getParameterTypes());
                    }
                }
                queried(types, m.method.getDeclaringClass(), m.method.getName(), m.method.getParameterTypes());
            }
            if (m.constructor != null) {
                Constructor<?> c = m.constructor;
                queried(types, c.getDeclaringClass(), "<init>", c.getParameterTypes());
            }
            if (m.field != null) {
                @SuppressWarnings("unchecked")
                TreeSet<String> fields = (TreeSet<String>) entry(types, m.field.getDeclaringClass())
                        .computeIfAbsent("fields", k -> new TreeSet<String>());
                fields.add(m.field.getName());
            }
        }
        for (Class<?> c : metadataInterfaces()) {
            Map<String, Object> e = entry(types, c);
            e.put("allDeclaredMethods", true);
            e.put("allPublicMethods", true);
            e.put("allPublicFields", true);
        }
        for (String name : metadataProviders()) {
            entry(types, Class.forName(name)).put("allPublicMethods", true);
        }
        for (String name : OPERATOR_TABLES) {
            entry(types, Class.forName(name)).put("allPublicFields", true);
        }
        entry(types, CalciteResource.class).put("allPublicMethods", true);
        for (Class<?> exception : resourceExceptions()) {
            entry(types, exception).put("allPublicConstructors", true);
        }
        // JSON form: fields and queried methods as name objects, in a stable order.
        List<Map<String, Object>> out = new ArrayList<>();
        for (var t : types.values()) {
            Map<String, Object> e = new LinkedHashMap<>(t);
            if (e.get("fields") instanceof TreeSet<?> fields) {
                e.put("fields", fields.stream().map(f -> Map.of("name", f)).toList());
            }
            if (e.get("queriedMethods") instanceof TreeSet<?> methods) {
                e.put("queriedMethods", methods.stream().map(m -> {
                    String[] parts = ((String) m).split("\\|", -1);
                    Map<String, Object> method = new LinkedHashMap<>();
                    method.put("name", parts[0]);
                    method.put("parameterTypes", parts[1].isEmpty() ? List.of() : Arrays.asList(parts[1].split(",")));
                    return method;
                }).toList());
            }
            out.add(e);
        }
        return out;
    }

    private static Map<String, Object> entry(Map<String, Map<String, Object>> types, Class<?> c) {
        return types.computeIfAbsent(c.getName(), n -> {
            Map<String, Object> e = new TreeMap<>();
            e.put("name", n);
            return e;
        });
    }

    @SuppressWarnings("unchecked")
    private static void queried(Map<String, Map<String, Object>> types, Class<?> c, String name, Class<?>[] parameters) {
        TreeSet<String> methods = (TreeSet<String>) entry(types, c).computeIfAbsent("queriedMethods", k -> new TreeSet<String>());
        methods.add(name + "|" + String.join(",", Arrays.stream(parameters).map(Class::getTypeName).toList()));
    }

    /** Every BuiltInMetadata.X and BuiltInMetadata.X.Handler: the metadata kinds and their handler interfaces. */
    private static List<Class<?>> metadataInterfaces() {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> kind : BuiltInMetadata.class.getDeclaredClasses()) {
            out.add(kind);
            for (Class<?> inner : kind.getDeclaredClasses()) {
                if (inner.getSimpleName().equals("Handler")) {
                    out.add(inner);
                }
            }
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    /** Calcite's RelMd* handler implementations (found in its jar) and Veil's own. */
    private static List<String> metadataProviders() throws Exception {
        Path jar = Path.of(BuiltInMetadata.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> out = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            j.stream().map(e -> e.getName())
                    .filter(n -> n.matches("org/apache/calcite/rel/metadata/RelMd[A-Za-z]*\\.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> !n.equals("org.apache.calcite.rel.metadata.RelMdUtil"))
                    .forEach(out::add);
        }
        out.addAll(VEIL_HANDLERS);
        out.sort(null);
        return out;
    }

    /** The exception types CalciteResource's messages build (ExInst<E> / ExInstWithCause<E>). */
    private static TreeSet<Class<?>> resourceExceptions() {
        TreeSet<Class<?>> out = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
        for (Method m : CalciteResource.class.getMethods()) {
            if (m.getGenericReturnType() instanceof ParameterizedType p) {
                for (Type arg : p.getActualTypeArguments()) {
                    if (arg instanceof Class<?> c && Throwable.class.isAssignableFrom(c)) {
                        out.add(c);
                    }
                }
            }
        }
        return out;
    }

    private static List<Map<String, Object>> proxies() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Class<?> c : metadataInterfaces()) {
            out.add(Map.of("interfaces", List.of(c.getName())));
        }
        out.add(Map.of("interfaces", List.of(CalciteResource.class.getName())));
        return out;
    }

    private static Map<String, Object> bundles() {
        return Map.of("bundles", List.of(Map.of("name", CalciteResource.class.getName())));
    }
}
