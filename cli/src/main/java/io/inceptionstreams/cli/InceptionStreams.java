package io.inceptionstreams.cli;

import io.inceptionstreams.cli.bench.BenchCommand;
import io.inceptionstreams.streams.ServiceStartException;
import java.io.IOException;
import java.io.PrintWriter;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line, {@code ./inception-streams} (or {@code java -jar inception-streams.jar}).
 *
 * <p>Exit codes: 0 success, 1 failure (a one-line {@code error:} message on standard error), 2
 * usage (an unknown option or a bad value, named, with the usage).
 */
@Command(
        name = "inception-streams",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Streaming image classification: a GoogLeNet (DJL/MXNet) in a Kafka Streams service.",
            "",
            "Start with 'inception-streams demo': a broker, a registry and the service, all"
                    + " in-process, classifying the bundled sample images."
        },
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            ModelCommand.class,
            SchemasCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class InceptionStreams implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line, as {@link #main} does, and returns its exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with this project's error handling. */
    public static CommandLine commandLine() {
        // DJL must never try to download anything: the MXNet natives come from the jar.
        if (System.getProperty("offline") == null) {
            System.setProperty("offline", "true");
        }
        CommandLine commandLine = new CommandLine(new InceptionStreams());
        commandLine.setParameterExceptionHandler(
                (error, args) -> {
                    CommandLine failed = error.getCommandLine();
                    PrintWriter err = failed.getErr();
                    err.println("error: " + error.getMessage());
                    UnmatchedArgumentException.printSuggestions(error, err);
                    err.println(
                            "Try '"
                                    + failed.getCommandSpec().qualifiedName()
                                    + " --help' for its options.");
                    return EXIT_USAGE;
                });
        commandLine.setExecutionExceptionHandler(
                (error, failed, parseResult) -> {
                    PrintWriter err = failed.getErr();
                    if (error instanceof ConfigException) {
                        // A bad configuration value is a usage error: it names key, value, source.
                        err.println("error: " + error.getMessage());
                        err.println(
                                "Try '"
                                        + failed.getCommandSpec().qualifiedName()
                                        + " --help' and the configuration table in docs/configuration.md.");
                        return EXIT_USAGE;
                    }
                    if (error instanceof ServiceStartException
                            || error instanceof CommandFailedException
                            || error instanceof IOException
                            || error instanceof KafkaException) {
                        err.println("error: " + error.getMessage());
                    } else {
                        err.println("error: unexpected " + error);
                        error.printStackTrace(err);
                    }
                    return EXIT_FAILURE;
                });
        return commandLine;
    }
}
