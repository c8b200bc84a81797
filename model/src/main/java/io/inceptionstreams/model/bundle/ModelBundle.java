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
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * A trained model on disk: a directory (or classpath folder) holding {@code bundle.properties} (see
 * {@link BundleDescriptor}), {@code synset.txt} (one label a line, in class-index order) and {@code
 * parameters.ndlist} (the inference network's named weights, DJL NDList encoding, float32 or
 * float16).
 *
 * <p>Locations: a directory path, {@code classpath:some/folder}, an {@code http(s)://} URL of a
 * folder served over HTTP (its three files are fetched as {@code <url>/<file>}), {@code default}
 * for the bundle shipped in this jar (GoogLeNet trained on Fashion-MNIST by this project's
 * trainer), or a DJL model-zoo URL for GoogLeNet ({@code djl://ai.djl.mxnet/googlenet}: ImageNet
 * weights, downloaded by DJL into its cache on first use, so only where the network allows).
 */
public final class ModelBundle {

    public static final String DEFAULT_LOCATION = "classpath:bundles/fashion-mnist-googlenet";
    static final String ZOO_SCHEME = "djl://";
    static final String PROPERTIES = "bundle.properties";
    static final String SYNSET = "synset.txt";
    static final String PARAMETERS = "parameters.ndlist";

    /** The bundle's files, in the order of its {@link #sha256() manifest}. */
    public static final List<String> FILES = List.of(PROPERTIES, SYNSET, PARAMETERS);

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

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
        FileSource files;
        if (resolved.startsWith("classpath:")) {
            files = new ClasspathSource(resolved.substring("classpath:".length()));
        } else if (resolved.startsWith("http://") || resolved.startsWith("https://")) {
            files = new HttpSource(resolved.endsWith("/") ? resolved : resolved + "/");
        } else {
            files = new DirectorySource(Path.of(resolved));
        }
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

    /**
     * The bundle's identity for deployments: the lower-case hex SHA-256 of its manifest, the lines
     * {@code <sha256 hex of the file> <file name>\n} for {@code bundle.properties}, {@code
     * synset.txt} and {@code parameters.ndlist} in that order. That is what {@code sha256sum
     * bundle.properties synset.txt parameters.ndlist | sha256sum} prints in the bundle's directory,
     * so an operator can check it with the shell. Reads every file (over the network for an HTTP
     * bundle).
     *
     * @throws IOException when a file is missing or unreadable
     */
    public String sha256() throws IOException {
        if (files == null) {
            throw new IllegalStateException(
                    location + " is a model-zoo bundle: it has no files of its own to hash");
        }
        StringBuilder manifest = new StringBuilder();
        for (String name : FILES) {
            MessageDigest digest = sha256Digest();
            try (InputStream in = files.open(name)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            }
            manifest.append(HexFormat.of().formatHex(digest.digest()))
                    .append("  ")
                    .append(name)
                    .append('\n');
        }
        return HexFormat.of()
                .formatHex(
                        sha256Digest()
                                .digest(manifest.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
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

    private record HttpSource(String base) implements FileSource {
        @Override
        public InputStream open(String name) throws IOException {
            URI uri = URI.create(base + name);
            HttpClient client =
                    HttpClient.newBuilder()
                            .connectTimeout(HTTP_TIMEOUT)
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .build();
            HttpResponse<InputStream> response;
            try {
                response =
                        client.send(
                                HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).GET().build(),
                                HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while fetching " + uri);
            }
            if (response.statusCode() != 200) {
                response.body().close();
                throw new FileNotFoundException(
                        "model bundle file " + uri + " answered HTTP " + response.statusCode());
            }
            return response.body();
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
