package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;

import java.io.PrintWriter;
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
    @CommandLine.Parameters(index = "0", description = "request, break-glass, list, show, approve, deny or revoke")
    String action;

    @CommandLine.Parameters(index = "1", arity = "0..1", description = "The request id (show, approve, deny, revoke)")
    String id;

    @CommandLine.Mixin
    ApiClient api = new ApiClient();

    /** The API client's options and credentials (a test gives it an environment of its own). */
    public ApiClient api() {
        return api;
    }

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
        String base = "/api/v1/access";
        JsonNode answer;
        try {
            answer = switch (action) {
                case "request", "break-glass" -> {
                    if (role == null || duration == null || reason == null || reason.isBlank()) {
                        throw new CommandLine.ParameterException(spec.commandLine(), action + " needs --role, --for and --reason");
                    }
                    ObjectNode body = ApiClient.JSON.createObjectNode().put("role", role).put("for", duration).put("reason", reason);
                    yield api.post(base + (action.equals("request") ? "/requests" : "/break-glass"), body);
                }
                case "list" -> api.get(base + "/requests?status=" + ApiClient.encoded(status));
                case "show" -> api.get(base + "/requests/" + requiredId());
                case "approve", "deny", "revoke" -> {
                    ObjectNode body = ApiClient.JSON.createObjectNode();
                    if (reason != null) {
                        body.put("reason", reason);
                    }
                    yield api.post(base + "/requests/" + requiredId() + "/" + action, body);
                }
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "the action is request, "
                        + "break-glass, list, show, approve, deny or revoke, not " + action);
            };
        } catch (ApiClient.Failed e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
        if (json) {
            out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
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
            answer.path("votes").forEach(v -> out.println(ApiClient.vote(v)));
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
        return ApiClient.encoded(id);
    }

    private static String line(JsonNode r) {
        return String.format("%s  %-8s  %-12s  %-10s  %4d min%s  %s", r.path("id").asText(), r.path("status").asText(),
                r.path("identity").asText(), r.path("role").asText(), r.path("minutes").asLong(),
                r.path("breakGlass").asBoolean() ? "  BREAK-GLASS" : "", r.path("reason").asText());
    }
}
