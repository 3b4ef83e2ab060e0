package dev.veil.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * deploy/k8s as `kubectl kustomize` builds each environment: the pod's hardening, probes, resources, and that every
 * name the Deployment and the autoscaler refer to is one the build defines (kustomize renames what it knows, so a
 * reference it does not know is left pointing at nothing). Skipped, visibly, without kubectl.
 */
class DeployManifestsTest {
    private static final Path OVERLAYS = Path.of("deploy/k8s/overlays");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Created per namespace outside the manifests (deploy/k8s/README.md). */
    private static final Set<String> EXTERNAL_SECRETS = Set.of("veil-tls", "veil-upstream", "veil-control-plane");

    private static boolean kubectl;

    @BeforeAll
    static void findKubectl() {
        kubectl = onPath("kubectl");
        if (!kubectl) {
            System.err.println("DeployManifestsTest: kubectl not found on PATH, deploy/k8s overlays NOT built or checked");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "staging"})
    void eachEnvironmentBuildsEveryObjectOnce(String env) throws Exception {
        Map<String, JsonNode> objects = build(env);
        assertThat(objects.keySet()).containsExactlyInAnyOrder(
                "ConfigMap/veil-config-" + env, "ConfigMap/veil-policy-" + env, "Deployment/veil-" + env,
                "Service/veil-" + env, "PersistentVolumeClaim/veil-audit-" + env, "PodDisruptionBudget/veil-" + env,
                "HorizontalPodAutoscaler/veil-" + env, "NetworkPolicy/veil-" + env);
        for (JsonNode o : objects.values()) {
            assertThat(o.at("/metadata/namespace").asText()).as("namespace").isEqualTo("veil-" + env);
            assertThat(o.at("/metadata/labels/veil.dev~1environment").asText()).isEqualTo(env);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "staging"})
    void thePodRunsHardenedWithLimitsAndProbes(String env) throws Exception {
        JsonNode pod = build(env).get("Deployment/veil-" + env).at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isPositive();
        JsonNode c = pod.at("/containers/0");
        assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(c.at("/securityContext/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        for (String r : List.of("cpu", "memory")) {
            assertThat(c.at("/resources/requests/" + r).asText()).as("request " + r).isNotEmpty();
            assertThat(c.at("/resources/limits/" + r).asText()).as("limit " + r).isNotEmpty();
        }
        assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        Set<String> ports = new HashSet<>();
        c.get("ports").forEach(p -> ports.add(p.get("name").asText()));
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(ports).contains(c.at("/" + probe + "/httpGet/port").asText());
        }
        assertThat(env(c)).containsEntry("VEIL_ENVIRONMENT", env);
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "staging"})
    void everyReferenceResolvesWithinTheBuildOrToTheDocumentedSecrets(String env) throws Exception {
        Map<String, JsonNode> objects = build(env);
        JsonNode deployment = objects.get("Deployment/veil-" + env);
        JsonNode pod = deployment.at("/spec/template/spec");
        Set<String> mounted = new HashSet<>();
        pod.at("/containers/0/volumeMounts").forEach(m -> {
            mounted.add(m.get("name").asText());
            // A subPath mount is never updated when its ConfigMap changes: the policy would not reload.
            assertThat(m.has("subPath")).as("subPath on " + m.get("name")).isFalse();
        });
        for (JsonNode v : pod.get("volumes")) {
            assertThat(mounted).contains(v.get("name").asText());
            if (v.has("configMap")) {
                assertThat(objects).containsKey("ConfigMap/" + v.at("/configMap/name").asText());
            } else if (v.has("persistentVolumeClaim")) {
                assertThat(objects).containsKey("PersistentVolumeClaim/" + v.at("/persistentVolumeClaim/claimName").asText());
            } else if (v.has("secret")) {
                assertThat(EXTERNAL_SECRETS).contains(v.at("/secret/secretName").asText());
            }
        }
        JsonNode selector = deployment.at("/spec/selector/matchLabels");
        assertThat(selector.size()).isGreaterThan(1);
        selector.fields().forEachRemaining(l -> assertThat(deployment.at("/spec/template/metadata/labels/"
                + l.getKey().replace("/", "~1")).asText()).as("pod label " + l.getKey()).isEqualTo(l.getValue().asText()));
        assertThat(objects.get("Service/veil-" + env).at("/spec/selector")).isEqualTo(selector);
        assertThat(objects.get("PodDisruptionBudget/veil-" + env).at("/spec/selector/matchLabels")).isEqualTo(selector);
        assertThat(objects.get("NetworkPolicy/veil-" + env).at("/spec/podSelector/matchLabels")).isEqualTo(selector);
        JsonNode hpa = objects.get("HorizontalPodAutoscaler/veil-" + env);
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo("veil-" + env);
        assertThat(hpa.at("/spec/metrics/0/pods/metric/name").asText()).isEqualTo("veil_client_connections");
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "staging"})
    void theConfigurationNamesThePolicyMountAndTheSharedAuditTable(String env) throws Exception {
        Map<String, JsonNode> objects = build(env);
        JsonNode config = YAML.readTree(objects.get("ConfigMap/veil-config-" + env).at("/data/application.yaml").asText());
        JsonNode container = objects.get("Deployment/veil-" + env).at("/spec/template/spec/containers/0");
        Map<String, String> mounts = new HashMap<>();
        container.get("volumeMounts").forEach(m -> mounts.put(m.get("name").asText(), m.get("mountPath").asText()));
        String policyFile = config.at("/veil/policy/file").asText();
        assertThat(Path.of(policyFile).getParent().toString()).isEqualTo(mounts.get("policy"));
        String policyKey = Path.of(policyFile).getFileName().toString();
        assertThat(objects.get("ConfigMap/veil-policy-" + env).at("/data").has(policyKey)).isTrue();
        assertThat(config.at("/veil/audit/postgres/enabled").asBoolean()).isTrue();
        assertThat(config.at("/veil/audit/file/directory").asText()).isEqualTo(mounts.get("audit"));
        // Environment variables name properties the file defines (a typo would configure nothing).
        for (String name : env(container).keySet()) {
            if (name.startsWith("VEIL_UPSTREAMS_")) {
                String[] parts = name.substring("VEIL_UPSTREAMS_".length()).toLowerCase().split("_", 2);
                assertThat(config.at("/veil/upstreams/" + parts[0]).isObject()).as(name).isTrue();
            }
        }
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        container.get("env").forEach(e -> env.put(e.get("name").asText(), e.get("value").asText()));
        return env;
    }

    private static final Map<String, Map<String, JsonNode>> BUILT = new HashMap<>();

    private static synchronized Map<String, JsonNode> build(String env) throws Exception {
        assumeTrue(kubectl, "kubectl not on PATH: deploy/k8s not built");
        Map<String, JsonNode> cached = BUILT.get(env);
        if (cached != null) {
            return cached;
        }
        File out = Files.createTempFile("kustomize-" + env, ".yaml").toFile();
        try {
            Process p = new ProcessBuilder("kubectl", "kustomize", OVERLAYS.resolve(env).toString())
                    .redirectOutput(out).redirectErrorStream(false).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("kubectl kustomize: " + err).isZero();
            Map<String, JsonNode> objects = new HashMap<>();
            for (JsonNode o : documents(out.toPath())) {
                String key = o.get("kind").asText() + "/" + o.at("/metadata/name").asText();
                assertThat(objects.put(key, o)).as("duplicate " + key).isNull();
            }
            BUILT.put(env, objects);
            return objects;
        } finally {
            out.delete();
        }
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            YAML.readValues(parser, ObjectNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
