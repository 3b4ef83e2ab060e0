package dev.veil.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;

import java.util.concurrent.Callable;

/**
 * {@code veil}: without a sub-command it serves. Each tool is one sub-command class listed here.
 */
@TopCommand
@CommandLine.Command(name = "veil", mixinStandardHelpOptions = true, version = "Veil 0.1.0",
        description = "Identity-aware database gateway.",
        subcommands = {ServeCommand.class, AuditCommand.class, AnalyzeCommand.class, CatalogCommand.class,
                LoginCommand.class, PolicyCommand.class, ApprovalsCommand.class, AccessCommand.class})
public class VeilCommand implements Callable<Integer> {
    private final ServeCommand serve;

    public VeilCommand(ServeCommand serve) {
        this.serve = serve;
    }

    @Override
    public Integer call() throws Exception {
        return serve.call();
    }
}
