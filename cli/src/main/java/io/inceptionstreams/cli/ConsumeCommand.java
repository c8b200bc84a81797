package io.inceptionstreams.cli;

import io.inceptionstreams.cli.client.LabelReader;
import io.inceptionstreams.schemas.avro.LabelEvent;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the label events of the labels topic. */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Prints label events from every partition of the labels topic, as a table or JSON"
                    + " lines, with a running accuracy when the images carried their true label.",
            "Reads committed labels only and commits nothing (no consumer group)."
        })
final class ConsumeCommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(200);

    @Spec CommandSpec spec;

    @Mixin ConfigOptions config;

    @Option(
            names = {"-t", "--topic"},
            paramLabel = "TOPIC",
            description = "Labels topic (key labels.topic; default labels).")
    String topic;

    @Option(names = "--json", description = "One JSON object per label event instead of a table.")
    boolean json;

    @Option(
            names = "--from-beginning",
            description = "Start with the labels already in the topic (default: only new ones).")
    boolean fromBeginning;

    @Option(
            names = "--max",
            paramLabel = "N",
            description = "Stop after N label events (default: no limit).")
    Integer max;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Stop when no label event arrived for this long, e.g. 10s (default: wait until"
                            + " interrupted).")
    Duration timeout;

    @Override
    public Integer call() {
        if (max != null && max < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--max must be at least 1, got " + max);
        }
        ClassifierConfig settings =
                config.load(ConfigOptions.flags(ClassifierConfig.LABELS_TOPIC, topic));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LabelPrinter printer = new LabelPrinter(out, json);
        try (LabelReader reader = new LabelReader(settings, fromBeginning)) {
            long lastArrival = System.nanoTime();
            while (max == null || printer.printed() < max) {
                var labels = reader.poll(POLL);
                for (LabelEvent label : labels) {
                    if (max != null && printer.printed() >= max) {
                        break;
                    }
                    printer.print(label);
                }
                if (!labels.isEmpty()) {
                    lastArrival = System.nanoTime();
                } else if (timeout != null
                        && System.nanoTime() - lastArrival >= timeout.toNanos()) {
                    break;
                }
            }
        }
        // In JSON mode standard output stays pure JSON lines.
        PrintWriter summary = json ? err : out;
        summary.printf("%d label events; %s%n", printer.printed(), printer.accuracySummary());
        summary.flush();
        return InceptionStreams.EXIT_OK;
    }
}
