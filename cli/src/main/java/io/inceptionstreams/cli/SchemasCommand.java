package io.inceptionstreams.cli;

import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.CompatibilityResult;
import io.inceptionstreams.schemas.registry.SchemaRegistryClient;
import io.inceptionstreams.schemas.registry.SchemaRegistryException;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The schemas of the topics, as the configured registry holds them. */
@Command(
        name = "schemas",
        mixinStandardHelpOptions = true,
        description = "The topics' Avro schemas in the configured schema registry.",
        subcommands = SchemasCommand.Check.class)
final class SchemasCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: check");
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Asks the registry whether a schema may be registered as the next version of a"
                        + " subject under the subject's compatibility level (BACKWARD unless set"
                        + " otherwise), and prints the verdict with the reasons.",
                "Exit code 0: compatible (or the subject has no version yet); 1: not compatible."
            })
    static final class Check implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin ConfigOptions config;

        @Option(
                names = "--subject",
                paramLabel = "SUBJECT",
                description =
                        "Subject to check against (default: <images.topic>-value for an"
                                + " ImageEvent, <labels.topic>-value for a LabelEvent).")
        String subject;

        @Option(
                names = "--version",
                paramLabel = "VERSION",
                defaultValue = SchemaRegistryClient.LATEST_VERSION,
                description = "Version to check against (default: ${DEFAULT-VALUE}).")
        String version;

        @Parameters(paramLabel = "FILE.avsc", description = "The candidate schema.")
        Path file;

        @Override
        public Integer call() throws IOException {
            ClassifierConfig settings = config.load(java.util.Map.of());
            Schema schema;
            try {
                schema = new Schema.Parser().parse(file.toFile());
            } catch (SchemaParseException e) {
                throw new CommandFailedException(
                        file + " is not a valid Avro schema: " + e.getMessage());
            }
            String target = subject == null ? defaultSubject(schema, settings) : subject;
            PrintWriter out = spec.commandLine().getOut();
            try (SchemaRegistryClient registry =
                    SchemaRegistryClient.create(settings.serdeConfig())) {
                CompatibilityResult result;
                try {
                    result = registry.testCompatibility(target, version, schema);
                } catch (SchemaRegistryException e) {
                    if (e.errorCode() == 40401) {
                        out.printf(
                                "compatible: subject %s has no version yet, so %s would be its"
                                        + " first%n",
                                target, schema.getFullName());
                        out.flush();
                        return InceptionStreams.EXIT_OK;
                    }
                    throw e;
                }
                if (result.compatible()) {
                    out.printf(
                            "compatible: %s with %s version %s%n",
                            schema.getFullName(), target, version);
                    out.flush();
                    return InceptionStreams.EXIT_OK;
                }
                out.printf(
                        "NOT compatible: %s with %s version %s%n",
                        schema.getFullName(), target, version);
                result.messages().forEach(message -> out.println("  " + message));
                out.flush();
                return InceptionStreams.EXIT_FAILURE;
            }
        }

        private String defaultSubject(Schema schema, ClassifierConfig settings) {
            if (schema.getFullName().equals(ImageEvent.getClassSchema().getFullName())) {
                return settings.imagesTopic() + "-value";
            }
            if (schema.getFullName().equals(LabelEvent.getClassSchema().getFullName())) {
                return settings.labelsTopic() + "-value";
            }
            throw new ParameterException(
                    spec.commandLine(),
                    "--subject is needed for "
                            + schema.getFullName()
                            + " (the default subject is known for ImageEvent and LabelEvent only)");
        }
    }
}
