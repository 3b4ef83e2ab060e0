package dev.veil.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieHandler;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a screen for Keycloak's login pages: one cookie jar per instance (a new browser), redirects
 * followed while they stay on Keycloak and reported, not followed, once they leave it (the client's redirect
 * URI). It fills the forms a person would: the login form ({@code kc-form-login}, possibly split into a user
 * name page and a password page), the device user-code form and the consent form.
 */
final class KeycloakLoginForms {
    private static final int MAX_STEPS = 12;
    private static final Pattern FORM = Pattern.compile("(?is)<form\\b([^>]*)>(.*?)</form>");
    private static final Pattern INPUT = Pattern.compile("(?is)<input\\b([^>]*)>");
    private static final Pattern BUTTON = Pattern.compile("(?is)<button\\b([^>]*)>");
    private static final Pattern ATTRIBUTE = Pattern.compile(
            "(?is)([a-z_:][-a-z0-9_:.]*)(?:\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+)))?");
    private static final Pattern TITLE = Pattern.compile("(?is)<h1\\b[^>]*id=\"kc-page-title\"[^>]*>(.*?)</h1>");
    private static final Pattern FEEDBACK = Pattern.compile(
            "(?is)<(?:span|div|p)\\b[^>]*(?:id=\"input-error[^\"]*\"|class=\"[^\"]*kc-feedback-text[^\"]*\"|id=\"kc-error-message\")[^>]*>(.*?)</(?:span|div|p)>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");

    private final URI keycloak;
    private final HttpClient browser = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .cookieHandler(new LoopbackCookieJar())
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    KeycloakLoginForms(String keycloakBaseUrl) {
        this.keycloak = URI.create(keycloakBaseUrl);
    }

    /** Logs in from {@code authorizationUrl} and returns the redirect back to the client, unfollowed. */
    String authorize(URI authorizationUrl, String username, String password) {
        Outcome outcome = drive(authorizationUrl, username, password);
        if (outcome.redirect() == null) {
            throw new IllegalStateException("Keycloak did not redirect back to the client; it stopped at "
                    + outcome.page().describe());
        }
        return outcome.redirect();
    }

    /** Logs in from the device verification URI, approves the grant, and returns the final page's text. */
    String approveDevice(URI verificationUriComplete, String username, String password) {
        Outcome outcome = drive(verificationUriComplete, username, password);
        if (outcome.redirect() != null) {
            throw new IllegalStateException("the device verification left Keycloak for " + outcome.redirect());
        }
        Page page = outcome.page();
        if (page.status() != 200 || page.showsError()) {
            throw new IllegalStateException("device approval failed: " + page.describe());
        }
        return page.text();
    }

    private Outcome drive(URI start, String username, String password) {
        Outcome outcome = navigate(HttpRequest.newBuilder(start).GET());
        boolean passwordSent = false;
        for (int step = 0; step < MAX_STEPS && outcome.redirect() == null; step++) {
            Page page = outcome.page();
            Optional<Form> login = page.form(form -> "kc-form-login".equals(form.id()));
            Optional<Form> userCode = page.form(form -> form.fields().containsKey("device_user_code"));
            Optional<Form> consent = page.form(form -> form.submits().containsKey("accept"));
            Map<String, String> fields;
            Form form;
            if (login.isPresent()) {
                form = login.get();
                fields = new LinkedHashMap<>(form.fields());
                if (fields.containsKey("password")) {
                    if (passwordSent) {
                        throw new IllegalStateException("login as " + username + " failed: " + page.describe());
                    }
                    fields.put("password", password);
                    passwordSent = true;
                }
                if (fields.containsKey("username")) {
                    fields.put("username", username);
                }
            } else if (userCode.isPresent()) {
                form = userCode.get();
                fields = new LinkedHashMap<>(form.fields());
                if (fields.get("device_user_code").isEmpty()) {
                    fields.put("device_user_code", queryParameter(start, "user_code"));
                }
            } else if (consent.isPresent()) {
                form = consent.get();
                fields = new LinkedHashMap<>(form.fields());
                fields.put("accept", form.submits().get("accept"));
            } else {
                return outcome;
            }
            outcome = navigate(HttpRequest.newBuilder(form.action())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(KeycloakServer.formBody(fields))));
        }
        if (outcome.redirect() != null) {
            return outcome;
        }
        throw new IllegalStateException("no end after " + MAX_STEPS + " pages; last: " + outcome.page().describe());
    }

    /** Sends the request and follows redirects while they stay on Keycloak's origin. */
    private Outcome navigate(HttpRequest.Builder request) {
        HttpResponse<String> response = send(request.timeout(Duration.ofSeconds(30)).build());
        for (int hop = 0; hop < MAX_STEPS; hop++) {
            int status = response.statusCode();
            if (status < 300 || status >= 400) {
                return new Outcome(null, new Page(status, response.uri(), response.body()));
            }
            URI from = response.uri();
            String location = response.headers().firstValue("Location")
                    .orElseThrow(() -> new IllegalStateException("HTTP " + status + " without Location from " + from));
            URI next = response.uri().resolve(location);
            if (!sameOrigin(next, keycloak)) {
                return new Outcome(location, null);
            }
            response = send(HttpRequest.newBuilder(next).timeout(Duration.ofSeconds(30)).GET().build());
        }
        throw new IllegalStateException("more than " + MAX_STEPS + " redirects from " + response.uri());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return browser.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String queryParameter(URI uri, String name) {
        String query = uri.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals(name)) {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
        }
        throw new IllegalStateException(uri + " has no " + name + " parameter");
    }

    /**
     * Keycloak marks its cookies {@code Secure; SameSite=None} even over plain HTTP. Browsers treat loopback as a
     * secure context and send them back; {@link java.net.CookieManager} does not, and Keycloak then answers
     * "Restart login cookie not found". This jar, for one Keycloak origin only, keeps every cookie and sends it
     * to the paths below its {@code Path}, as the browser would, with the value exactly as it was set.
     */
    private static final class LoopbackCookieJar extends CookieHandler {
        private record Cookie(String name, String value, String path) {
        }

        private final Map<String, Cookie> cookies = new LinkedHashMap<>();

        @Override
        public synchronized Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String header = cookies.values().stream()
                    .filter(cookie -> path.startsWith(cookie.path()))
                    .map(cookie -> cookie.name() + "=" + cookie.value())
                    .collect(Collectors.joining("; "));
            return header.isEmpty() ? Map.of() : Map.of("Cookie", List.of(header));
        }

        @Override
        public synchronized void put(URI uri, Map<String, List<String>> responseHeaders) {
            responseHeaders.forEach((name, values) -> {
                if ("Set-Cookie".equalsIgnoreCase(name)) {
                    values.forEach(this::store);
                }
            });
        }

        private void store(String setCookie) {
            String[] parts = setCookie.split(";");
            int eq = parts[0].indexOf('=');
            if (eq <= 0) {
                return;
            }
            String name = parts[0].substring(0, eq).trim();
            String path = "/";
            boolean expired = false;
            for (int i = 1; i < parts.length; i++) {
                String attribute = parts[i].trim();
                String lower = attribute.toLowerCase();
                if (lower.startsWith("path=")) {
                    path = attribute.substring(5);
                } else if (lower.equals("max-age=0") || lower.startsWith("max-age=-")
                        || (lower.startsWith("expires=") && lower.contains("1970"))) {
                    expired = true; // how Keycloak deletes its cookies
                }
            }
            String key = name + " " + path;
            if (expired) {
                cookies.remove(key);
            } else {
                cookies.put(key, new Cookie(name, parts[0].substring(eq + 1).trim(), path));
            }
        }
    }

    /** Exactly one of the two is set: a redirect leaving Keycloak (its raw Location), or the page it ended on. */
    private record Outcome(String redirect, Page page) {
    }

    /**
     * An HTML form: fields that would be sent as they stand (hidden and pre-filled inputs, checked boxes) and,
     * apart, the named submit controls, of which a browser sends only the one clicked.
     */
    private record Form(String id, URI action, Map<String, String> fields, Map<String, String> submits) {
    }

    private record Page(int status, URI uri, String html) {
        Optional<Form> form(java.util.function.Predicate<Form> wanted) {
            return forms().stream().filter(wanted).findFirst();
        }

        List<Form> forms() {
            List<Form> forms = new ArrayList<>();
            Matcher matcher = FORM.matcher(html);
            while (matcher.find()) {
                Map<String, String> formAttributes = attributes(matcher.group(1));
                Map<String, String> fields = new LinkedHashMap<>();
                Map<String, String> submits = new LinkedHashMap<>();
                Matcher input = INPUT.matcher(matcher.group(2));
                while (input.find()) {
                    Map<String, String> a = attributes(input.group(1));
                    String name = a.get("name");
                    String type = a.getOrDefault("type", "text").toLowerCase();
                    if (name == null || a.containsKey("disabled")) {
                        continue;
                    }
                    switch (type) {
                        case "submit", "image", "button" -> submits.put(name, a.getOrDefault("value", ""));
                        case "checkbox", "radio" -> {
                            if (a.containsKey("checked")) {
                                fields.put(name, a.getOrDefault("value", "on"));
                            }
                        }
                        default -> fields.put(name, a.getOrDefault("value", ""));
                    }
                }
                Matcher button = BUTTON.matcher(matcher.group(2));
                while (button.find()) {
                    Map<String, String> a = attributes(button.group(1));
                    if (a.containsKey("name") && !"button".equalsIgnoreCase(a.get("type"))) {
                        submits.put(a.get("name"), a.getOrDefault("value", ""));
                    }
                }
                String action = formAttributes.getOrDefault("action", "");
                forms.add(new Form(formAttributes.get("id"), action.isEmpty() ? uri : uri.resolve(action), fields, submits));
            }
            return forms;
        }

        boolean showsError() {
            return html.contains("id=\"kc-error-message\"") || html.contains("pf-m-danger") || html.contains("alert-error");
        }

        /** The page title and any messages, as a person would read them. */
        String text() {
            StringBuilder text = new StringBuilder();
            Matcher title = TITLE.matcher(html);
            if (title.find()) {
                text.append(plain(title.group(1)));
            }
            Matcher feedback = FEEDBACK.matcher(html);
            while (feedback.find()) {
                String message = plain(feedback.group(1));
                if (!message.isEmpty()) {
                    text.append(text.length() == 0 ? "" : " - ").append(message);
                }
            }
            return text.toString();
        }

        String describe() {
            return "HTTP " + status + " " + uri + " \"" + text() + "\"";
        }
    }

    private static Map<String, String> attributes(String tagBody) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher matcher = ATTRIBUTE.matcher(tagBody);
        while (matcher.find()) {
            String value = matcher.group(2) != null ? matcher.group(2)
                    : matcher.group(3) != null ? matcher.group(3)
                    : matcher.group(4) != null ? matcher.group(4) : "";
            attributes.putIfAbsent(matcher.group(1).toLowerCase(), unescape(value));
        }
        return attributes;
    }

    private static String plain(String html) {
        return unescape(TAG.matcher(html).replaceAll(" ")).replaceAll("\\s+", " ").trim();
    }

    private static final Pattern ENTITY = Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);");

    private static String unescape(String text) {
        Matcher matcher = ENTITY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String entity = matcher.group(1);
            String replacement = switch (entity) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                default -> new String(Character.toChars(entity.startsWith("#x")
                        ? Integer.parseInt(entity.substring(2), 16) : Integer.parseInt(entity.substring(1))));
            };
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
