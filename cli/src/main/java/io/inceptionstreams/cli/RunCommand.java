package io.inceptionstreams.cli;

import io.inceptionstreams.streams.config.ClassifierConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The service against an existing cluster and registry, until interrupted. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the classifier service against an existing Kafka cluster and schema registry"
                    + " until interrupted (SIGINT/SIGTERM: a clean shutdown that commits its work).",
            "The topics must exist. Every configuration key can be set in a --config file, as an"
                    + " INCEPTION_* environment variable or with --set; see docs/configuration.md."
        })
final class RunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin ConfigOptions config;

    @Option(
            names = "--model-bundle",
            paramLabel = "LOCATION",
            description =
                    "Model bundle: a directory, classpath:folder or default (key model.bundle).")
    String modelBundle;

    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            description = "auto, cpu or gpu:N (key device; default auto).")
    String device;

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            description =
                    "Port of /health and /metrics; 0 any, -1 off (key http.port; default 8080).")
    Integer httpPort;

    @Override
    public Integer call() throws InterruptedException {
        ClassifierConfig settings =
                config.load(
                        ConfigOptions.flags(
                                ClassifierConfig.MODEL_BUNDLE, modelBundle,
                                ClassifierConfig.DEVICE, device,
                                ClassifierConfig.HTTP_PORT, httpPort));
        PrintWriter err = spec.commandLine().getErr();
        ServingInstance instance = ServingInstance.start(settings);
        AtomicBoolean stopping = new AtomicBoolean();
        Thread hook =
                new Thread(
                        () -> {
                            stopping.set(true);
                            instance.close();
                        },
                        "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        err.printf(
                "classifying %s -> %s (dead letters: %s) on %s%s%n",
                settings.imagesTopic(),
                settings.labelsTopic(),
                settings.dlqTopic(),
                settings.bootstrapServers(),
                instance.httpPort() < 0
                        ? ""
                        : "; health and metrics on http://localhost:" + instance.httpPort());
        err.flush();
        KafkaStreams.State state = instance.awaitTermination();
        if (stopping.get()) {
            return InceptionStreams.EXIT_OK;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        instance.close();
        throw new CommandFailedException(
                "Kafka Streams stopped in state " + state + "; see the log");
    }
}
