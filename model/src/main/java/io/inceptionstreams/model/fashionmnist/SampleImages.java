package io.inceptionstreams.model.fashionmnist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Fashion-MNIST test images bundled on the classpath under {@value #RESOURCE_DIR} by {@link
 * SampleImageExporter}: 30 per class, as PNG files listed in {@code manifest.csv}.
 */
public final class SampleImages {

    public static final String RESOURCE_DIR = "/samples/fashion-mnist/";

    /**
     * One bundled image.
     *
     * @param label the class name, one of {@link FashionMnist#CLASS_NAMES}
     * @param classIndex the index of {@code label} in {@link FashionMnist#CLASS_NAMES}
     * @param testIndex the image's index in the Fashion-MNIST test split
     * @param bytes the encoded PNG
     */
    public record Sample(
            String fileName, String label, int classIndex, int testIndex, byte[] bytes) {}

    private SampleImages() {}

    /** Reads the manifest and every image it lists, in manifest (test index) order. */
    public static List<Sample> load() throws IOException {
        List<Sample> samples = new ArrayList<>();
        try (BufferedReader manifest =
                new BufferedReader(
                        new InputStreamReader(
                                open(SampleImageExporter.MANIFEST), StandardCharsets.UTF_8))) {
            String header = manifest.readLine();
            if (!SampleImageExporter.MANIFEST_HEADER.equals(header)) {
                throw new IOException(
                        "unexpected header in "
                                + RESOURCE_DIR
                                + SampleImageExporter.MANIFEST
                                + ": "
                                + header);
            }
            for (String line = manifest.readLine(); line != null; line = manifest.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",", -1);
                if (fields.length != 4) {
                    throw new IOException("malformed manifest line: " + line);
                }
                byte[] bytes;
                try (InputStream image = open(fields[0])) {
                    bytes = image.readAllBytes();
                }
                samples.add(
                        new Sample(
                                fields[0],
                                fields[1],
                                Integer.parseInt(fields[2]),
                                Integer.parseInt(fields[3]),
                                bytes));
            }
        }
        return samples;
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = SampleImages.class.getResourceAsStream(RESOURCE_DIR + name);
        if (in == null) {
            throw new IOException(
                    "sample image resource not on the classpath: " + RESOURCE_DIR + name);
        }
        return in;
    }
}
