package dev.veil.testing;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test run once per MySQL-protocol server this machine can provide ({@link MariaDbServers#all()}), the method
 * taking a {@link MariaDbServer}. A server that needs a Docker engine where there is none still gets its run,
 * reported as skipped with the reason, so the count of skipped cases says what was not tested.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest
@MethodSource("dev.veil.testing.MariaDbServers#all")
@ExtendWith(SkipsUnavailableServers.class)
public @interface EveryMariaDbServer {
}
