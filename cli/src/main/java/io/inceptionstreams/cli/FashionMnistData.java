package io.inceptionstreams.cli;

import io.inceptionstreams.model.fashionmnist.FashionMnist;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data} option of the commands that read the Fashion-MNIST IDX files. */
final class FashionMnistData {
    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Fashion-MNIST IDX files (default: the Debian package's"
                            + " /usr/share/datasets/fashion-mnist).")
    Path data;

    Path dir() {
        return data == null ? FashionMnist.defaultDir() : data;
    }
}
