package io.inceptionstreams.cli;

import io.inceptionstreams.cli.client.ImageEvents;
import io.inceptionstreams.cli.client.ImageProducer;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import io.inceptionstreams.model.preprocess.ImageFormat;
import io.inceptionstreams.model.training.ProgressBar;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.streams.config.ClassifierConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Sends image files, or Fashion-MNIST test images, to the images topic. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Sends images to the images topic as ImageEvents (key and id: the file's path relative"
                    + " to the directory given, or its name).",
            "Files that are not JPEG, PNG, GIF, BMP or WebP are reported and skipped; the exit code"
                    + " is 1 if any file was skipped or not acknowledged."
        })
final class ProduceCommand implements Callable<Integer> {

    /** Leaves room under Kafka's default 1 MiB record limit for the event's other fields. */
    static final int DEFAULT_INLINE_LIMIT = 900_000;

    @Spec CommandSpec spec;

    @Mixin ConfigOptions config;

    @Parameters(
            paramLabel = "PATH",
            arity = "0..*",
            description = "Image files, or directories searched recursively.")
    List<Path> paths = new ArrayList<>();

    @Option(
            names = {"-t", "--topic"},
            paramLabel = "TOPIC",
            description = "Images topic (key images.topic; default images).")
    String topic;

    @Option(
            names = "--fashion-mnist",
            paramLabel = "DIR",
            arity = "0..1",
            fallbackValue = "",
            description =
                    "Send Fashion-MNIST test images (IDX files in DIR; default: the Debian package's"
                            + " /usr/share/datasets/fashion-mnist) with their true label.")
    String fashionMnist;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "100",
            description = "Fashion-MNIST images to send (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(
            names = "--inline-limit",
            paramLabel = "BYTES",
            defaultValue = "" + DEFAULT_INLINE_LIMIT,
            description =
                    "Larger files go as file: references, not inline; the service must list their"
                            + " directory in reference.file.roots (default: ${DEFAULT-VALUE}).")
    long inlineLimit;

    @Option(names = "--generate-ids", description = "Random UUIDs as image ids.")
    boolean generateIds;

    @Option(
            names = "--label",
            paramLabel = "LABEL",
            description = "True label to attach to every file sent (attribute 'label').")
    String label;

    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private int inline;
    private int referenced;

    @Override
    public Integer call() throws Exception {
        if (paths.isEmpty() && fashionMnist == null) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "Give image files or directories, or --fashion-mnist");
        }
        if (limit < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
        ClassifierConfig settings =
                config.load(ConfigOptions.flags(ClassifierConfig.IMAGES_TOPIC, topic));
        List<Input> inputs = new ArrayList<>();
        for (Path path : paths) {
            inputs.addAll(filesOf(path));
        }
        FashionMnist test = null;
        if (fashionMnist != null) {
            Path dir = fashionMnist.isEmpty() ? FashionMnist.defaultDir() : Path.of(fashionMnist);
            test = FashionMnist.load(dir, FashionMnist.Split.TEST);
            for (int i = 0; i < Math.min(limit, test.size()); i++) {
                inputs.add(new Input(String.format("fashion-mnist-test-%05d", i), null, i));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        try (ImageProducer producer = new ImageProducer(settings)) {
            ProgressBar progress = new ProgressBar(System.err, "produce", inputs.size());
            int done = 0;
            for (Input input : inputs) {
                ImageEvent event =
                        input.file() == null ? fashionEvent(test, input) : fileEvent(input);
                if (event != null) {
                    CompletableFuture<?> acked = producer.send(event);
                    acked.whenComplete(
                            (metadata, error) -> {
                                if (error != null) {
                                    fail(input.id() + ": not sent (" + error.getMessage() + ")");
                                }
                            });
                    sent.add(acked);
                }
                progress.update(++done, failures.isEmpty() ? "" : failures.size() + " failed");
            }
            producer.flush();
            for (CompletableFuture<?> acked : sent) {
                try {
                    acked.get();
                } catch (ExecutionException e) {
                    // Reported by its callback.
                }
            }
            out.printf(
                    "sent %d images to topic '%s' (%d inline, %d by file reference)%s%n",
                    inline + referenced - countFailedSends(sent),
                    producer.topic(),
                    inline,
                    referenced,
                    failures.isEmpty() ? "" : "; " + failures.size() + " failed");
        }
        if (referenced > 0) {
            out.println(
                    "note: the service reads file references only under its"
                            + " reference.file.roots");
        }
        out.flush();
        if (failures.isEmpty()) {
            return InceptionStreams.EXIT_OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        failures.forEach(failure -> err.println("failed: " + failure));
        err.flush();
        return InceptionStreams.EXIT_FAILURE;
    }

    /** One image to send: a file, or (file null) a Fashion-MNIST test index. */
    private record Input(String id, Path file, int testIndex) {}

    private List<Input> filesOf(Path path) throws IOException {
        if (!Files.exists(path)) {
            fail(path + ": no such file or directory");
            return List.of();
        }
        if (!Files.isDirectory(path)) {
            return List.of(new Input(idOf(path.getFileName().toString()), path, -1));
        }
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile)
                    .sorted()
                    .map(file -> new Input(idOf(path.relativize(file).toString()), file, -1))
                    .toList();
        }
    }

    private String idOf(String name) {
        return generateIds ? UUID.randomUUID().toString() : name;
    }

    private ImageEvent fileEvent(Input input) {
        Map<String, String> attributes =
                label == null ? Map.of() : Map.of(ImageEvents.TRUE_LABEL, label);
        try {
            // Small files are read once and sent inline; larger ones are only sniffed here and
            // read (for their checksum) when the reference is made.
            boolean inlined = Files.size(input.file()) <= inlineLimit;
            byte[] bytes;
            try (InputStream in = Files.newInputStream(input.file())) {
                bytes = inlined ? in.readAllBytes() : in.readNBytes(16);
            }
            if (ImageFormat.sniff(bytes).isEmpty()) {
                fail(input.file() + ": not an image (not JPEG, PNG, GIF, BMP or WebP); skipped");
                return null;
            }
            if (inlined) {
                inline++;
                return ImageEvents.inline(input.id(), bytes, attributes);
            }
            referenced++;
            return ImageEvents.reference(input.id(), input.file(), attributes);
        } catch (IOException e) {
            fail(input.file() + ": cannot read (" + e.getMessage() + "); skipped");
            return null;
        }
    }

    private ImageEvent fashionEvent(FashionMnist test, Input input) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(test.image(input.testIndex()), "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        inline++;
        return ImageEvents.inline(
                input.id(),
                png.toByteArray(),
                Map.of(
                        ImageEvents.TRUE_LABEL,
                        FashionMnist.CLASS_NAMES.get(test.label(input.testIndex()))));
    }

    private void fail(String failure) {
        failures.add(failure);
    }

    private static int countFailedSends(List<CompletableFuture<?>> sent) {
        return (int) sent.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    }
}
