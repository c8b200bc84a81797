package io.inceptionstreams.model.bundle;

import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Properties;

/**
 * What a bundle's {@code bundle.properties} says: which network, which version, the input it
 * expects and how its parameters are stored.
 *
 * @param name model name, published in every label event
 * @param version model version, published in every label event
 * @param architecture network family; {@code googlenet} is the only one built here
 * @param input image size, channels and normalisation the network was trained with
 * @param numClasses size of the output layer (lines of {@code synset.txt})
 * @param batchNorm whether the network is the batch-norm variant (not the paper's)
 * @param parametersDataType how the weights are stored on disk: float32 or float16
 */
public record BundleDescriptor(
        String name,
        String version,
        String architecture,
        InputSpec input,
        int numClasses,
        boolean batchNorm,
        String parametersDataType) {

    public static final String GOOGLENET = "googlenet";

    public BundleDescriptor {
        if (!GOOGLENET.equals(architecture)) {
            throw new IllegalArgumentException(
                    "unsupported architecture '" + architecture + "': only googlenet is built in");
        }
        if (!parametersDataType.equals("float32") && !parametersDataType.equals("float16")) {
            throw new IllegalArgumentException(
                    "parameters.dtype must be float32 or float16, got " + parametersDataType);
        }
    }

    static BundleDescriptor read(InputStream in, String where) throws IOException {
        Properties p = new Properties();
        p.load(in);
        try {
            int channels = Integer.parseInt(required(p, "input.channels", where));
            InputSpec input =
                    new InputSpec(
                            Integer.parseInt(required(p, "input.width", where)),
                            Integer.parseInt(required(p, "input.height", where)),
                            channels,
                            floats(required(p, "input.mean", where)),
                            floats(required(p, "input.std", where)));
            return new BundleDescriptor(
                    required(p, "name", where),
                    required(p, "version", where),
                    p.getProperty("architecture", GOOGLENET),
                    input,
                    Integer.parseInt(required(p, "classes", where)),
                    Boolean.parseBoolean(p.getProperty("batch.norm", "false")),
                    p.getProperty("parameters.dtype", "float32"));
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    "invalid bundle properties in " + where + ": " + e.getMessage(), e);
        }
    }

    void write(OutputStream out, Properties extra) throws IOException {
        Properties p = new Properties();
        p.putAll(extra);
        p.setProperty("name", name);
        p.setProperty("version", version);
        p.setProperty("architecture", architecture);
        p.setProperty("input.width", String.valueOf(input.width()));
        p.setProperty("input.height", String.valueOf(input.height()));
        p.setProperty("input.channels", String.valueOf(input.channels()));
        p.setProperty("input.mean", join(input.mean()));
        p.setProperty("input.std", join(input.std()));
        p.setProperty("classes", String.valueOf(numClasses));
        p.setProperty("batch.norm", String.valueOf(batchNorm));
        p.setProperty("parameters.dtype", parametersDataType);
        p.store(out, "Inception Streams model bundle");
    }

    private static String required(Properties p, String key, String where) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing '" + key + "' in " + where);
        }
        return value.trim();
    }

    private static float[] floats(String csv) {
        String[] parts = csv.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Float.parseFloat(parts[i].trim());
        }
        return values;
    }

    private static String join(float[] values) {
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            joined.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", values[i]));
        }
        return joined.toString();
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%s %s (%s, %dx%dx%d input, %d classes)",
                name,
                version,
                architecture,
                input.width(),
                input.height(),
                input.channels(),
                numClasses);
    }
}
