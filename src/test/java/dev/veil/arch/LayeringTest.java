package dev.veil.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The dependency direction of docs/ARCHITECTURE.md: frontend -> session -> upstream, analysis, audit -> protocol, error. */
class LayeringTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.veil");

    /** The client-facing connections are the top of the house: nothing imports them. */
    @Test
    void nothingImportsTheFrontend() {
        noClasses().that().resideOutsideOfPackages("dev.veil.frontend..", "dev.veil")
                .should().dependOnClassesThat().resideInAPackage("dev.veil.frontend..")
                .check(MAIN);
    }

    /** Wire codecs are shared by both directions; they know only the error leaf. */
    @Test
    void wireCodecsDependOnlyOnTheErrorLeaf() {
        noClasses().that().resideInAPackage("dev.veil.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.veil.frontend..", "dev.veil.session..",
                        "dev.veil.upstream..", "dev.veil.audit..", "dev.veil.analysis..", "dev.veil.identity..",
                        "dev.veil.policy..", "dev.veil.config..")
                .check(MAIN);
    }

    @Test
    void errorsAreALeaf() {
        classes().that().resideInAPackage("dev.veil.error..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.veil.error..")
                .check(MAIN);
    }

    /** Classification is pure: column facts and values in, tags out; its detectors' libraries and nothing of Veil. */
    @Test
    void classificationIsPure() {
        classes().that().resideInAPackage("dev.veil.classification..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.veil.classification..",
                        "org.apache.commons.validator..", "com.google.i18n.phonenumbers..")
                .check(MAIN);
    }

    @Test
    void upstreamImportsNeitherTheFrontendNorTheSession() {
        noClasses().that().resideInAPackage("dev.veil.upstream..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.veil.frontend..", "dev.veil.session..")
                .check(MAIN);
    }

    @Test
    void topLevelPackagesHaveNoCycles() {
        slices().matching("dev.veil.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void analysisAndPolicyStayFreeOfVertxAndQuarkus() {
        noClasses().that().resideInAnyPackage("dev.veil.analysis..", "dev.veil.policy..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.quarkus..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    /** The tokenizer layer is used where Calcite is not (fail-closed scan, fingerprints): keep it plain Java. */
    @Test
    void sqlTextLayerDependsOnlyOnTheJdkAndTheAnalysisRoot() {
        classes().that().resideInAPackage("dev.veil.analysis.text..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.veil.analysis",
                        "dev.veil.analysis.text..")
                .check(MAIN);
    }

    @Test
    void analysisIsSelfContained() {
        // Pure statement analysis: the catalog loader (I/O) lives in upstream.catalog and feeds it snapshots.
        noClasses().that().resideInAPackage("dev.veil.analysis..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.veil.upstream..", "dev.veil.session..",
                        "dev.veil.identity..", "dev.veil.admin..", "dev.veil.config..", "dev.veil.demo..")
                .check(MAIN);
    }

    @Test
    void theAuditTrailKnowsNoPipelineStage() {
        // Every stage records through the audit package; it must stay a leaf so any stage (and the MySQL
        // front end) can use it without cycles.
        noClasses().that().resideInAPackage("dev.veil.audit..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.veil.frontend..", "dev.veil.session..",
                        "dev.veil.upstream..", "dev.veil.identity..", "dev.veil.admin..", "dev.veil.cli..")
                .check(MAIN);
    }

    /** veil login's protocol logic runs without the application: plain Java, the JDK's HTTP, Jackson. */
    @Test
    void theLoginProtocolNeedsNeitherQuarkusNorTheGateway() {
        classes().that().resideInAPackage("dev.veil.cli.login..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson..",
                        "com.sun.net.httpserver..", "dev.veil.cli.login..")
                .check(MAIN);
    }

    /**
     * The gateway never uses java.net.http: the native executable lacks HttpClient, so a token login there failed
     * with NoClassDefFoundError (issue 16). Only the `veil login` command, which runs on the JVM, may.
     */
    @Test
    void theGatewayNeedsNoJdkHttpClient() {
        noClasses().that().resideOutsideOfPackages("dev.veil.cli..")
                .should().dependOnClassesThat().resideInAPackage("java.net.http..")
                .check(MAIN);
    }
}
