package dev.veil.masking;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** The mask functions run per value on the data path: plain Java, nothing of Veil's but themselves and the JDK. */
class MaskingIsPureTest {
    @Test
    void masksDependOnlyOnTheJdk() {
        JavaClasses masking = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.veil.masking");
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..",
                "dev.veil.masking..").check(masking);
    }
}
