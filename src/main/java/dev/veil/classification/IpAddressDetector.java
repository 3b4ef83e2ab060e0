package dev.veil.classification;

import org.apache.commons.validator.routines.InetAddressValidator;

/** An IPv4 or IPv6 address (commons-validator); PostgreSQL's inet text form may add a prefix length. */
final class IpAddressDetector implements ValueDetector {
    @Override
    public Tag tag() {
        return Tag.IP_ADDRESS;
    }

    @Override
    public String describes() {
        return "IP addresses";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        int slash = v.indexOf('/');
        if (slash > 0) {
            v = v.substring(0, slash);
        }
        return v.length() <= 45 && InetAddressValidator.getInstance().isValid(v);
    }
}
