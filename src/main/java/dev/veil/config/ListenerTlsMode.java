package dev.veil.config;

/** TLS on a listener, Veil as the server: whether clients may, or must, switch to TLS. */
public enum ListenerTlsMode { OFF, OPTIONAL, REQUIRED }
