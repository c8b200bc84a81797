package io.inceptionstreams.model.fashionmnist;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Writes a class-balanced, deterministic set of Fashion-MNIST test images as 28x28 grayscale PNG
 * files plus a {@code manifest.csv}, for the demo and the tests to use without the dataset
 * installed. For each class it takes the first {@code count / 10} test images of that class, in
 * test-set order, so rerunning it reproduces the same files byte for byte.
 *
 * <p>Run as {@code inception-streams model samples --out DIR --count N}.
 */
public final class SampleImageExporter {

    static final String MANIFEST = "manifest.csv";
    static final String MANIFEST_HEADER = "file,label,class_index,test_index";

    private SampleImageExporter() {}

    /**
     * Writes {@code count} images (a positive multiple of the 10 classes) and the manifest to
     * {@code outputDir}, returning the chosen test indices in ascending order.
     */
    public static List<Integer> export(FashionMnist test, int count, Path outputDir)
            throws IOException {
        int classes = FashionMnist.CLASS_NAMES.size();
        if (count <= 0 || count % classes != 0) {
            throw new IllegalArgumentException(
                    "count must be a positive multiple of " + classes + ", got " + count);
        }
        List<Integer> chosen = choose(test, count / classes);
        Files.createDirectories(outputDir);
        try (BufferedWriter manifest =
                Files.newBufferedWriter(outputDir.resolve(MANIFEST), StandardCharsets.UTF_8)) {
            manifest.write(MANIFEST_HEADER);
            manifest.newLine();
            for (int index : chosen) {
                int label = test.label(index);
                String fileName = fileName(index, label);
                if (!ImageIO.write(
                        test.image(index), "png", outputDir.resolve(fileName).toFile())) {
                    throw new IOException("no ImageIO PNG writer");
                }
                manifest.write(
                        fileName
                                + ","
                                + FashionMnist.CLASS_NAMES.get(label)
                                + ","
                                + label
                                + ","
                                + index);
                manifest.newLine();
            }
        }
        return chosen;
    }

    /** The first {@code perClass} test indices of each class, in ascending order. */
    static List<Integer> choose(FashionMnist test, int perClass) {
        int[] taken = new int[FashionMnist.CLASS_NAMES.size()];
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < test.size() && chosen.size() < perClass * taken.length; i++) {
            if (taken[test.label(i)] < perClass) {
                taken[test.label(i)]++;
                chosen.add(i);
            }
        }
        if (chosen.size() < perClass * taken.length) {
            throw new IllegalArgumentException(
                    "the test split has fewer than " + perClass + " images of some class");
        }
        return chosen;
    }

    /** {@code 00042-ankle-boot.png}: the test index, then the class name as a slug. */
    static String fileName(int testIndex, int label) {
        String slug =
                FashionMnist.CLASS_NAMES
                        .get(label)
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9]+", "-");
        return String.format(Locale.ROOT, "%05d-%s.png", testIndex, slug);
    }
}
