package dev.veil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;

import java.io.PrintWriter;
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
    @CommandLine.Parameters(index = "0", description = "list, show, approve or deny")
    String action;

    @CommandLine.Parameters(index = "1", arity = "0..1", description = "The request id (show, approve, deny)")
    String id;

    @CommandLine.Mixin
    ApiClient api = new ApiClient();

    /** The API client's options and credentials (a test gives it an environment of its own). */
    public ApiClient api() {
        return api;
    }

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
        String base = "/api/v1/approvals";
        JsonNode answer;
        try {
            answer = switch (action) {
                case "list" -> api.get(base + "?status=" + ApiClient.encoded(status));
                case "show" -> api.get(base + "/" + requiredId());
                case "approve", "deny" -> {
                    ObjectNode body = ApiClient.JSON.createObjectNode();
                    if (action.equals("approve")) {
                        body.put("mode", mode);
                        if (minutes != null) {
                            body.put("minutes", minutes);
                        }
                    }
                    if (reason != null) {
                        body.put("reason", reason);
                    }
                    yield api.post(base + "/" + requiredId() + "/" + action, body);
                }
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "the action is list, show, approve"
                        + " or deny, not " + action);
            };
        } catch (ApiClient.Failed e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
        if (json) {
            out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else if (answer.isArray()) {
            if (answer.isEmpty()) {
                out.println("no " + status + " requests");
            }
            answer.forEach(r -> out.println(line(r)));
        } else {
            out.println(line(answer));
            out.println("  statement: " + answer.path("statement").asText());
            out.println("  reason:    " + answer.path("reason").asText());
            answer.path("votes").forEach(v -> out.println(ApiClient.vote(v)));
            out.println("  link:      " + answer.path("link").asText());
        }
        return 0;
    }

    private String requiredId() {
        if (id == null || id.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), action + " needs the request id (veil approvals list)");
        }
        return ApiClient.encoded(id);
    }

    private static String line(JsonNode r) {
        return String.format("%s  %-8s  %-12s  %-24s  %s", r.path("id").asText(), r.path("status").asText(),
                r.path("identity").asText(), r.path("rule").asText(), r.path("statement").asText());
    }
}
