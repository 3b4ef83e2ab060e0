package dev.veil.arch;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import dev.veil.audit.AuditEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native build (make native) initialises classes while it builds the image, and refuses two kinds of object in
 * a static field: a random generator (its seed would be frozen into the executable) and a Vert.x buffer (Vert.x's
 * buffer classes initialise at run time). Each class that holds one must be listed with --initialize-at-run-time in
 * application.properties. The native build is not part of make test, so without this check such a field is found
 * only by a 20-minute build that fails (it happened twice this month).
 */
class NativeInitializationTest {
    private static final Pattern RUN_TIME = Pattern.compile("--initialize-at-run-time=([\\w.$]+)");

    @Test
    void everyClassWithARandomOrABufferInAStaticFieldInitialisesAtRunTime() throws IOException {
        Set<String> runTime = runTimeClasses();
        List<String> missing = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.veil")) {
            for (JavaField f : c.getFields()) {
                if (f.getModifiers().contains(JavaModifier.STATIC) && refusedInImageHeap(f.getRawType())
                        && !runTime.contains(c.getName())) {
                    missing.add(c.getName() + "." + f.getName() + " (" + f.getRawType().getSimpleName() + ")");
                }
            }
        }
        assertThat(missing).as("static fields the native build refuses; list their classes with --initialize-at-run-time"
                + " in application.properties (quarkus.native.additional-build-args), or make the field an instance one")
                .isEmpty();
    }

    /**
     * The native executable leaves java.net.http out (the command line reaches the API with it, in method bodies
     * only): in a picocli command, a field or a method signature naming one of its types fails picocli's reflection
     * when the executable starts, with NoClassDefFoundError (it stopped the first native executable built here).
     */
    @Test
    void noCommandsFieldOrSignatureNamesAJavaNetHttpType() {
        List<String> found = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.veil")) {
            // Commands, and the mixins they share options through (picocli reflects on both at start).
            boolean mixin = c.getFields().stream().anyMatch(f -> f.isAnnotatedWith(CommandLine.Option.class))
                    && !c.isAnnotatedWith(CommandLine.Command.class);
            if (!c.isAnnotatedWith(CommandLine.Command.class) && !mixin) {
                continue;
            }
            c.getFields().stream().filter(f -> javaNetHttp(f.getRawType())).forEach(f -> found.add(f.getFullName()));
            c.getCodeUnits().stream().filter(m -> javaNetHttp(m.getRawReturnType())
                            || m.getRawParameterTypes().stream().anyMatch(NativeInitializationTest::javaNetHttp))
                    .forEach(m -> found.add(m.getFullName()));
        }
        assertThat(found).as("keep java.net.http types inside method bodies").isEmpty();
    }

    private static boolean javaNetHttp(JavaClass type) {
        return type.getName().startsWith("java.net.http.");
    }

    /**
     * Jackson writes audit events by reflection, the records they hold included; in the native image only the
     * classes registered for it can be written, and the first executable that logged a client in failed on
     * AuditEvent.Who (the session's start record could not be written, and the client waited forever).
     */
    @Test
    void everyTypeAnAuditEventHoldsIsRegisteredForReflection() {
        RegisterForReflection registered = AuditEvent.class.getAnnotation(RegisterForReflection.class);
        assertThat(registered).as("@RegisterForReflection on AuditEvent").isNotNull();
        assertThat(registered.targets()).as("AuditEvent's nested types")
                .containsExactlyInAnyOrder(AuditEvent.class.getDeclaredClasses());
    }

    @Test
    void theRunTimeListIsReadFromTheProperties() throws IOException {
        assertThat(runTimeClasses()).contains("dev.veil.rewrite.ResultRow", "dev.veil.frontend.pg.PgAuthFlow");
    }

    private static boolean refusedInImageHeap(JavaClass type) {
        return type.isAssignableTo(Random.class) || type.isAssignableTo(Buffer.class);
    }

    private static Set<String> runTimeClasses() throws IOException {
        Properties p = new Properties();
        try (InputStream in = NativeInitializationTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        Matcher m = RUN_TIME.matcher(p.getProperty("quarkus.native.additional-build-args", ""));
        return m.results().map(r -> r.group(1)).collect(Collectors.toSet());
    }
}
