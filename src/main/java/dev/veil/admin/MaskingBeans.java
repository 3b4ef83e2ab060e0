package dev.veil.admin;

import dev.veil.config.PseudonymSecret;
import dev.veil.config.VeilConfig;
import dev.veil.demo.DemoMode;
import dev.veil.masking.MaskFunctions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.security.SecureRandom;

/**
 * The mask functions with this environment's pseudonym secret (veil.masking.pseudonym-secret*). Without one,
 * a random secret is made for this run: pseudonyms and hashes are then stable only until Veil restarts, which
 * is what a demo wants and what a deployment is warned of.
 */
@ApplicationScoped
public class MaskingBeans {
    private static final Logger LOG = Logger.getLogger(MaskingBeans.class);

    /** Singleton, not application-scoped: it is called for every masked value, and a client proxy's lookup showed. */
    @Produces
    @Singleton
    MaskFunctions maskFunctions(VeilConfig config, DemoMode demo) {
        byte[] secret = PseudonymSecret.read(config.masking(), System.getenv());
        if (secret == null) {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            if (!demo.enabled()) {
                LOG.warn("veil.masking.pseudonym-secret is not set (nor pseudonym-secret-file, pseudonym-secret-env): "
                        + "Veil made a random one for this run, so pseudonym and hash values change when Veil restarts; "
                        + "set one to keep them stable");
            }
        }
        return new MaskFunctions(secret);
    }
}
