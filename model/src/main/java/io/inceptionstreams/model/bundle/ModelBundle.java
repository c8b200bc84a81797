package io.inceptionstreams.model.bundle;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.inceptionstreams.model.googlenet.GoogLeNet;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A trained model on disk: a directory (or classpath folder) holding {@code bundle.properties} (see
 * {@link BundleDescriptor}), {@code synset.txt} (one label a line, in class-index order) and {@code
 * parameters.ndlist} (the inference network's named weights, DJL NDList encoding, float32 or
 * float16).
 *
 * <p>Locations: a directory path, {@code classpath:some/folder}, {@code default} for the bundle
 * shipped in this jar (GoogLeNet trained on Fashion-MNIST by this project's trainer), or a DJL
 * model-zoo URL for GoogLeNet ({@code djl://ai.djl.mxnet/googlenet}: ImageNet weights, downloaded
 * by DJL into its cache on first use, so only where the network allows).
 */
public final class ModelBundle {

    public static final String DEFAULT_LOCATION = "classpath:bundles/fashion-mnist-googlenet";
    static final String ZOO_SCHEME = "djl://";
    static final String PROPERTIES = "bundle.properties";
    static final String SYNSET = "synset.txt";
    static final String PARAMETERS = "parameters.ndlist";

    private final String location;
    private final BundleDescriptor descriptor;
    private final List<String> synset;
    private final FileSource files;

    /** A bundle whose network and weights come from a DJL model zoo rather than from files. */
    static ModelBundle ofZoo(String url, BundleDescriptor descriptor, List<String> synset) {
        return new ModelBundle(url, descriptor, synset, null);
    }

    private ModelBundle(
            String location, BundleDescriptor descriptor, List<String> synset, FileSource files) {
        this.location = location;
        this.descriptor = descriptor;
        this.synset = List.copyOf(synset);
        this.files = files;
    }

    /** Opens a bundle's descriptor and labels; parameters are read by {@link #loadModel}. */
    public static ModelBundle open(String location) throws IOException {
        String resolved =
                location == null || location.equals("default") ? DEFAULT_LOCATION : location;
        if (resolved.startsWith(ZOO_SCHEME)) {
            return ZooBundles.open(resolved);
        }
        FileSource files =
                resolved.startsWith("classpath:")
                        ? new ClasspathSource(resolved.substring("classpath:".length()))
                        : new DirectorySource(Path.of(resolved));
        BundleDescriptor descriptor;
        try (InputStream in = files.open(PROPERTIES)) {
            descriptor = BundleDescriptor.read(in, resolved + "/" + PROPERTIES);
        }
        List<String> synset;
        try (InputStream in = files.open(SYNSET)) {
            synset =
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .map(String::strip)
                            .filter(line -> !line.isEmpty())
                            .toList();
        }
        if (synset.size() != descriptor.numClasses()) {
            throw new IOException(
                    String.format(
                            "bundle %s: %s has %d labels but %s says classes=%d",
                            resolved, SYNSET, synset.size(), PROPERTIES, descriptor.numClasses()));
        }
        return new ModelBundle(resolved, descriptor, synset, files);
    }

    public static ModelBundle openDefault() throws IOException {
        return open(DEFAULT_LOCATION);
    }

    public String location() {
        return location;
    }

    public BundleDescriptor descriptor() {
        return descriptor;
    }

    public InputSpec inputSpec() {
        return descriptor.input();
    }

    /** Class labels in class-index order. */
    public List<String> synset() {
        return synset;
    }

    /** A fresh, uninitialized network of this bundle's shape. */
    public GoogLeNet newNetwork(boolean auxiliaryClassifiers) {
        if (files == null) {
            throw new IllegalStateException(
                    location + " is a model-zoo bundle: its network comes with its weights");
        }
        return GoogLeNet.builder()
                .setNumClasses(descriptor.numClasses())
                .optInputChannels(descriptor.input().channels())
                .optBatchNorm(descriptor.batchNorm())
                .optAuxiliaryClassifiers(auxiliaryClassifiers)
                .build();
    }

    /**
     * Builds the inference network on {@code device} and loads this bundle's weights into it. The
     * caller owns (and closes) the returned model.
     */
    public Model loadModel(Device device) throws IOException, MalformedModelException {
        if (files == null) {
            return ZooBundles.load(location, device);
        }
        Model model = Model.newInstance(descriptor.name(), device, "MXNet");
        try {
            GoogLeNet network = newNetwork(false);
            model.setBlock(network);
            InputSpec in = descriptor.input();
            network.initialize(
                    model.getNDManager(),
                    DataType.FLOAT32,
                    new Shape(1, in.channels(), in.height(), in.width()));
            try (InputStream parameters = files.open(PARAMETERS)) {
                NamedParameters.read(network, parameters, "bundle " + location);
            }
            model.setProperty("version", descriptor.version());
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Writes a bundle for an initialized network: only the inference path's weights (the side
     * classifiers stay in training checkpoints), stored in the descriptor's {@code
     * parameters.dtype}.
     */
    public static void write(
            Path dir,
            BundleDescriptor descriptor,
            List<String> synset,
            GoogLeNet network,
            Properties extraProperties)
            throws IOException {
        if (synset.size() != descriptor.numClasses()) {
            throw new IllegalArgumentException(
                    synset.size() + " labels for " + descriptor.numClasses() + " classes");
        }
        Files.createDirectories(dir);
        DataType storage =
                descriptor.parametersDataType().equals("float16")
                        ? DataType.FLOAT16
                        : DataType.FLOAT32;
        try (OutputStream out = Files.newOutputStream(dir.resolve(PARAMETERS))) {
            NamedParameters.write(
                    network, out, storage, name -> !GoogLeNet.isAuxiliaryParameter(name));
        }
        Files.write(dir.resolve(SYNSET), synset, StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(dir.resolve(PROPERTIES))) {
            descriptor.write(out, extraProperties);
        }
    }

    /** Where a bundle's three files come from. */
    private interface FileSource {
        InputStream open(String name) throws IOException;
    }

    private record DirectorySource(Path dir) implements FileSource {
        @Override
        public InputStream open(String name) throws IOException {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new FileNotFoundException(
                        "model bundle file not found: "
                                + file.toAbsolutePath()
                                + " (a bundle is a directory with "
                                + PROPERTIES
                                + ", "
                                + SYNSET
                                + " and "
                                + PARAMETERS
                                + ")");
            }
            return Files.newInputStream(file);
        }
    }

    private record ClasspathSource(String folder) implements FileSource {
        @Override
        public InputStream open(String name) throws IOException {
            String resource = (folder.endsWith("/") ? folder : folder + "/") + name;
            InputStream in = ModelBundle.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new FileNotFoundException(
                        "model bundle resource not found on the classpath: " + resource);
            }
            return in;
        }
    }
}
