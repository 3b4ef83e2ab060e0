package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;

/**
 * {@code veil approvals list|show|approve|deny}: the approval requests of a running Veil, through its HTTP API
 * ({@code /api/v1/approvals}). The caller authenticates as on the API: a local account (--user, password from
 * VEIL_PASSWORD) or a bearer token (VEIL_TOKEN, e.g. from {@code veil login --format token}); that identity is
 * the approver.
 */
@CommandLine.Command(name = "approvals", mixinStandardHelpOptions = true,
        description = {"List and decide the statements waiting for approval on a running Veil.",
                "  VEIL_PASSWORD=... veil approvals list --user lead",
                "  veil approvals approve <id> --user lead --mode window --minutes 30 --reason 'planned'",
                "  veil approvals deny <id> --user lead --reason 'not during the sale'"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the API refused or could not be reached (its message is printed)", "2:invalid options"})
public class ApprovalsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Parameters(index = "0", description = "list, show, approve or deny")
    String action;

    @CommandLine.Parameters(index = "1", arity = "0..1", description = "The request id (show, approve, deny)")
    String id;

    @CommandLine.Option(names = "--url", defaultValue = "${env:VEIL_URL:-http://localhost:8080}",
            description = "Veil's HTTP address (env VEIL_URL, default ${DEFAULT-VALUE})")
    String url;

    @CommandLine.Option(names = "--user", defaultValue = "${env:VEIL_USER}",
            description = "Local account (env VEIL_USER); its password from env VEIL_PASSWORD")
    String user;

    @CommandLine.Option(names = "--status", defaultValue = "pending",
            description = "list: pending, approved, denied, expired, used or all (default ${DEFAULT-VALUE})")
    String status;

    @CommandLine.Option(names = "--mode", defaultValue = "once",
            description = "approve: once (one run) or window (identical re-runs for --minutes)")
    String mode;

    @CommandLine.Option(names = "--minutes", description = "approve --mode window: how long (default 15)")
    Integer minutes;

    @CommandLine.Option(names = "--reason", description = "Why (recorded with the decision)")
    String reason;

    @CommandLine.Option(names = "--json", description = "Print the API's JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        HttpRequest.Builder request;
        switch (action) {
            case "list" -> request = HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals?status="
                    + URLEncoder.encode(status, StandardCharsets.UTF_8))).GET();
            case "show" -> request = HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals/" + requiredId())).GET();
            case "approve", "deny" -> {
                ObjectNode body = JSON.createObjectNode();
                if (action.equals("approve")) {
                    body.put("mode", mode);
                    if (minutes != null) {
                        body.put("minutes", minutes);
                    }
                }
                if (reason != null) {
                    body.put("reason", reason);
                }
                request = HttpRequest.newBuilder(URI.create(base + "/api/v1/approvals/" + requiredId() + "/" + action))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "the action is list, show, approve or "
                    + "deny, not " + action);
        }
        String authorization = authorization();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("Veil's API at " + base + " cannot be reached (" + e.getMessage() + "); set --url or VEIL_URL");
            return 1;
        }
        JsonNode answer = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        if (response.statusCode() / 100 != 2) {
            err.println("refused (" + response.statusCode() + "): " + answer.path("error").asText(response.body()));
            return 1;
        }
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else if (answer.isArray()) {
            if (answer.isEmpty()) {
                out.println("no " + status + " requests");
            }
            answer.forEach(r -> out.println(line(r)));
        } else {
            out.println(line(answer));
            out.println("  statement: " + answer.path("statement").asText());
            out.println("  reason:    " + answer.path("reason").asText());
            answer.path("votes").forEach(v -> out.println("  " + v.path("decision").asText() + " by "
                    + v.path("approver").asText() + " at " + v.path("time").asText()
                    + (v.path("reason").isTextual() ? ": " + v.path("reason").asText() : "")));
            out.println("  link:      " + answer.path("link").asText());
        }
        return 0;
    }

    private String requiredId() {
        if (id == null || id.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), action + " needs the request id (veil approvals list)");
        }
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    /** Basic with --user and VEIL_PASSWORD, else Bearer VEIL_TOKEN, else none (the API answers 401). */
    private String authorization() {
        String password = System.getenv("VEIL_PASSWORD");
        if (user != null && !user.isBlank()) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + (password == null ? "" : password))
                    .getBytes(StandardCharsets.UTF_8));
        }
        String token = System.getenv("VEIL_TOKEN");
        return token == null || token.isBlank() ? null : "Bearer " + token.strip();
    }

    private static String line(JsonNode r) {
        return String.format("%s  %-8s  %-12s  %-24s  %s", r.path("id").asText(), r.path("status").asText(),
                r.path("identity").asText(), r.path("rule").asText(), r.path("statement").asText());
    }
}
