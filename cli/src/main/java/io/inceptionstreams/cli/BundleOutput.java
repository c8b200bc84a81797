package io.inceptionstreams.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where training checkpoints are, and where and as which version a bundle is written. */
final class BundleOutput {
    @Option(
            names = "--checkpoints",
            paramLabel = "DIR",
            defaultValue = "checkpoints",
            description = "Checkpoint directory (default: ${DEFAULT-VALUE}).")
    Path checkpoints;

    @Option(
            names = "--bundle-out",
            paramLabel = "DIR",
            defaultValue = "trained-bundle",
            description = "Where the bundle is written (default: ${DEFAULT-VALUE}).")
    Path bundleOut;

    @Option(
            names = "--version-label",
            paramLabel = "VERSION",
            defaultValue = "1.0.0",
            description = "Version written into the bundle (default: ${DEFAULT-VALUE}).")
    String version;
}
