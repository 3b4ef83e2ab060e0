package dev.veil.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.Method;

/**
 * Aborts (JUnit: skipped) a run of an {@link EveryMariaDbServer} test whose server could not be started here,
 * before its body runs: a test that expects an exception inside a lambda must not mistake the skip for it.
 */
public final class SkipsUnavailableServers implements InvocationInterceptor {
    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        for (Object argument : invocationContext.getArguments()) {
            if (argument instanceof MariaDbServers.Unavailable unavailable) {
                invocation.skip();
                throw new TestAbortedException(unavailable.toString());
            }
        }
        invocation.proceed();
    }
}
