package dev.veil.identity;

import java.util.List;

/** Who a session belongs to, as proven at authentication. */
public record Identity(String name, List<String> roles, Source source) {
    public enum Source { LOCAL_ACCOUNT, OIDC_TOKEN, SERVICE_ACCOUNT }
}
