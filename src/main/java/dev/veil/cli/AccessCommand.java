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
 * {@code veil access request|break-glass|list|show|approve|deny|revoke}: just-in-time access on a running Veil,
 * through its HTTP API ({@code /api/v1/access}, docs/access.md). The caller authenticates as on the API: a local
 * account (--user, password from VEIL_PASSWORD) or a bearer token (VEIL_TOKEN); that identity is the requester or
 * the approver.
 */
@CommandLine.Command(name = "access", mixinStandardHelpOptions = true,
        description = {"Ask for a policy role for a while, take one at once (break-glass), or decide requests.",
                "  VEIL_PASSWORD=... veil access request --user engineer --role admin --for 1h --reason 'fix INC-42'",
                "  veil access approve <id> --user lead --reason 'on call'",
                "  veil access break-glass --user engineer --role admin --for 30m --reason 'outage'",
                "  veil access revoke <id> --user lead"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the API refused or could not be reached (its message is printed)", "2:invalid options"})
public class AccessCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Parameters(index = "0", description = "request, break-glass, list, show, approve, deny or revoke")
    String action;

    @CommandLine.Parameters(index = "1", arity = "0..1", description = "The request id (show, approve, deny, revoke)")
    String id;

    @CommandLine.Option(names = "--url", defaultValue = "${env:VEIL_URL:-http://localhost:8080}",
            description = "Veil's HTTP address (env VEIL_URL, default ${DEFAULT-VALUE})")
    String url;

    @CommandLine.Option(names = "--user", defaultValue = "${env:VEIL_USER}",
            description = "Local account (env VEIL_USER); its password from env VEIL_PASSWORD")
    String user;

    @CommandLine.Option(names = "--role", description = "request, break-glass: the policy role asked for")
    String role;

    @CommandLine.Option(names = "--for", description = "request, break-glass: how long, such as 30m, 2h or 1d")
    String duration;

    @CommandLine.Option(names = "--status", defaultValue = "all",
            description = "list: pending, granted, denied, revoked, expired or all (default ${DEFAULT-VALUE})")
    String status;

    @CommandLine.Option(names = "--reason", description = "Why (mandatory for request and break-glass; recorded)")
    String reason;

    @CommandLine.Option(names = "--json", description = "Print the API's JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String base = (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/api/v1/access";
        // java.net.http stays inside this method's body: a field or a method signature naming its types makes
        // picocli's reflection fail at start-up in the native executable, which leaves java.net.http out.
        HttpRequest.Builder request = null;
        String postTo = null;
        ObjectNode posted = null;
        switch (action) {
            case "request", "break-glass" -> {
                if (role == null || duration == null || reason == null || reason.isBlank()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), action + " needs --role, --for and --reason");
                }
                ObjectNode body = JSON.createObjectNode().put("role", role).put("for", duration).put("reason", reason);
                postTo = base + (action.equals("request") ? "/requests" : "/break-glass");
                posted = body;
            }
            case "list" -> request = HttpRequest.newBuilder(URI.create(base + "/requests?status="
                    + URLEncoder.encode(status, StandardCharsets.UTF_8))).GET();
            case "show" -> request = HttpRequest.newBuilder(URI.create(base + "/requests/" + requiredId())).GET();
            case "approve", "deny", "revoke" -> {
                ObjectNode body = JSON.createObjectNode();
                if (reason != null) {
                    body.put("reason", reason);
                }
                postTo = base + "/requests/" + requiredId() + "/" + action;
                posted = body;
            }
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "the action is request, break-glass, "
                    + "list, show, approve, deny or revoke, not " + action);
        }
        if (postTo != null) {
            request = HttpRequest.newBuilder(URI.create(postTo)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(posted)));
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
            err.println("Veil's API at " + url + " cannot be reached (" + e.getMessage() + "); set --url or VEIL_URL");
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
                out.println("no " + (status.equals("all") ? "" : status + " ") + "access requests");
            }
            answer.forEach(r -> out.println(line(r)));
        } else {
            out.println(line(answer));
            out.println("  reason:    " + answer.path("reason").asText());
            if (answer.path("expires").isTextual()) {
                out.println("  until:     " + answer.path("expires").asText());
            }
            answer.path("votes").forEach(v -> out.println("  " + v.path("decision").asText() + " by "
                    + v.path("approver").asText() + " at " + v.path("time").asText()
                    + (v.path("reason").isTextual() ? ": " + v.path("reason").asText() : "")));
            if (answer.path("revokedBy").isTextual()) {
                out.println("  revoked by " + answer.path("revokedBy").asText()
                        + (answer.path("revokeReason").isTextual() ? ": " + answer.path("revokeReason").asText() : ""));
            }
        }
        return 0;
    }

    private String requiredId() {
        if (id == null || id.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), action + " needs the request id (veil access list)");
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
        return String.format("%s  %-8s  %-12s  %-10s  %4d min%s  %s", r.path("id").asText(), r.path("status").asText(),
                r.path("identity").asText(), r.path("role").asText(), r.path("minutes").asLong(),
                r.path("breakGlass").asBoolean() ? "  BREAK-GLASS" : "", r.path("reason").asText());
    }
}
