package io.inceptionstreams.cli;

import io.inceptionstreams.cli.client.ImageEvents;
import io.inceptionstreams.cli.client.ImageProducer;
import io.inceptionstreams.cli.client.LabelReader;
import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.fashionmnist.SampleImages;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.schemas.registry.server.EmbeddedSchemaRegistry;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Everything in one process: broker, registry, service, the bundled images and their labels. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Starts a real Kafka broker (KRaft) and a schema registry in this process, creates the"
                    + " topics, runs the classifier with the default model, sends the bundled"
                    + " Fashion-MNIST sample images and prints their predictions with a summary.",
            "With --serve it keeps running afterwards and first prints the broker and registry"
                    + " addresses, so any Kafka client can join in.",
            "It reads the configuration as 'run' does (--config, INCEPTION_* variables, --set),"
                    + " over the demo's own defaults; the broker and registry addresses are always"
                    + " those of the in-process ones."
        })
final class DemoCommand implements Callable<Integer> {
    static final String APPLICATION_ID = "inception-streams-demo";

    @Spec CommandSpec spec;

    @Mixin ConfigFileOptions config;

    private final CountDownLatch interrupted = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    @Option(
            names = "--serve",
            description = "Keep everything running until interrupted, after the sample images.")
    boolean serve;

    @Option(
            names = "--images",
            paramLabel = "N",
            defaultValue = "300",
            description = "Bundled sample images to send, 0 to 300 (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "3",
            description = "Partitions of each topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            description =
                    "Port of /health and /metrics; 0 any free port, -1 off (key http.port; demo"
                            + " default 0).")
    Integer httpPort;

    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            description = "auto, cpu or gpu:N (key device; default auto).")
    String device;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "3m",
            converter = DurationConverter.class,
            description = "Longest wait for all labels (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        List<SampleImages.Sample> samples = SampleImages.load();
        if (images < 0 || images > samples.size() || partitions < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--images must be 0 to " + samples.size() + " and --partitions at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path stateDir = createStateDirectory(System.getenv(), System.getProperty("user.home"));
        try {
            // Validated before anything starts, so a bad setting fails at once.
            ClassifierConfig settings =
                    config.load(
                            Map.of(
                                    ClassifierConfig.APPLICATION_ID,
                                    APPLICATION_ID,
                                    ClassifierConfig.HTTP_PORT,
                                    "0",
                                    ClassifierConfig.KAFKA_PREFIX + "state.dir",
                                    stateDir.toString()),
                            ConfigOptions.flags(
                                    ClassifierConfig.DEVICE, device,
                                    ClassifierConfig.HTTP_PORT, httpPort));
            err.printf(
                    "starting Kafka (KRaft, in-process), the schema registry and the classifier"
                            + " (%s)...%n",
                    settings.processingGuarantee());
            err.flush();
            return demo(settings, samples, out, err);
        } finally {
            Utils.delete(stateDir.toFile());
            closed.countDown();
        }
    }

    /**
     * The demo's state directory, deleted on the way out: a fresh {@code demo-*} directory under
     * {@link #stateParent the user's cache directory}, or in the OS temp directory when that cannot
     * be created.
     */
    private static Path createStateDirectory(Map<String, String> env, String home)
            throws IOException {
        try {
            return Files.createTempDirectory(
                    Files.createDirectories(stateParent(env, Path.of(home))), "demo-");
        } catch (IOException | SecurityException e) {
            return Files.createTempDirectory("inception-streams-demo-");
        }
    }

    /**
     * {@code inception-streams} in the user's cache directory ({@code $XDG_CACHE_HOME} when it is
     * an absolute path, else {@code ~/.cache}) rather than the OS temp directory, which Kafka
     * Streams warns about at start because the OS may clear it under a running instance.
     */
    static Path stateParent(Map<String, String> env, Path home) {
        String cache = env.getOrDefault("XDG_CACHE_HOME", "");
        Path base =
                !cache.isEmpty() && Path.of(cache).isAbsolute()
                        ? Path.of(cache)
                        : home.resolve(".cache");
        return base.resolve("inception-streams");
    }

    /** Starts the broker and registry, then the service; stops them in the reverse order. */
    private int demo(
            ClassifierConfig settings,
            List<SampleImages.Sample> samples,
            PrintWriter out,
            PrintWriter err)
            throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start();
                EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry().start()) {
            ClassifierConfig config =
                    settings.with(
                            Map.of(
                                    ClassifierConfig.BOOTSTRAP_SERVERS,
                                    kafka.bootstrapServers(),
                                    ClassifierConfig.SCHEMA_REGISTRY_URL,
                                    registry.url()));
            kafka.createTopics(
                    partitions, config.imagesTopic(), config.labelsTopic(), config.dlqTopic());
            if (serve) {
                out.println(ClassifierConfig.BOOTSTRAP_SERVERS + "=" + kafka.bootstrapServers());
                out.println(ClassifierConfig.SCHEMA_REGISTRY_URL + "=" + registry.url());
                out.flush();
            }
            try (ServingInstance instance = ServingInstance.start(config)) {
                if (instance.httpPort() >= 0) {
                    PrintWriter addresses = serve ? out : err;
                    addresses.printf(
                            "health.url=http://localhost:%d/health%n", instance.httpPort());
                    addresses.printf(
                            "metrics.url=http://localhost:%d/metrics%n", instance.httpPort());
                    addresses.flush();
                }
                instance.awaitRunning(timeout);
                classifySamples(config, samples.subList(0, images), out);
                if (serve) {
                    serveUntilInterrupted(instance, err);
                }
                return InceptionStreams.EXIT_OK;
            }
        }
    }

    /** Sends the samples, prints each label as it arrives, then the summary. */
    private void classifySamples(
            ClassifierConfig config, List<SampleImages.Sample> samples, PrintWriter out) {
        if (samples.isEmpty()) {
            return;
        }
        LabelPrinter printer = new LabelPrinter(out, false);
        Set<String> waiting = new HashSet<>();
        long start;
        try (LabelReader reader = new LabelReader(config, true);
                ImageProducer producer = new ImageProducer(config)) {
            start = System.nanoTime();
            for (SampleImages.Sample sample : samples) {
                String id = "sample-" + sample.fileName().replaceFirst("\\.png$", "");
                waiting.add(id);
                producer.send(
                        ImageEvents.inline(
                                id,
                                sample.bytes(),
                                Map.of(ImageEvents.TRUE_LABEL, sample.label())));
            }
            producer.flush();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!waiting.isEmpty() && System.nanoTime() < deadline) {
                for (LabelEvent label : reader.poll(Duration.ofMillis(200))) {
                    if (waiting.remove(label.getImageId().toString())) {
                        printer.print(label);
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                Locale.ROOT,
                "classified %d of %d images in %.1f s (%.1f images/s, first image sent to last"
                        + " label read); %s%n",
                printer.printed(),
                samples.size(),
                seconds,
                printer.printed() / seconds,
                printer.accuracySummary());
        out.flush();
        if (!waiting.isEmpty()) {
            throw new CommandFailedException(
                    waiting.size() + " images got no label within " + timeout.toSeconds() + " s");
        }
    }

    /**
     * Blocks until SIGINT/SIGTERM; the shutdown hook then waits for {@link #call} to close the
     * service, registry and broker. Fails if the service stops on its own.
     */
    private void serveUntilInterrupted(ServingInstance instance, PrintWriter err)
            throws InterruptedException {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    interrupted.countDown();
                                    try {
                                        closed.await(60, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                },
                                "demo-shutdown"));
        err.println("serving until interrupted (Ctrl-C)");
        err.flush();
        while (!interrupted.await(1, TimeUnit.SECONDS)) {
            KafkaStreams.State state = instance.service().state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                throw new CommandFailedException(
                        "the classifier stopped in state " + state + "; see the log");
            }
        }
        err.println("stopping");
        err.flush();
    }
}
