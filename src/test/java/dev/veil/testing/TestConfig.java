package dev.veil.testing;

import dev.veil.config.VeilConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;
import java.util.Map;

/** A real VeilConfig built by SmallRye Config from properties, as Quarkus builds it, for tests without Quarkus. */
public final class TestConfig {
    private TestConfig() {
    }

    public static VeilConfig veil(Map<String, String> properties) {
        // Quarkus' own Duration converter ("30s"), which plain SmallRye Config does not register.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(VeilConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(VeilConfig.class);
    }
}
