package io.inceptionstreams.streams.rollout;

import ai.djl.MalformedModelException;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.classify.TensorBatch;
import io.inceptionstreams.model.preprocess.InputSpec;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.NoSuchFileException;

/**
 * Turns a deployment into a classifier ready to take batches: fetches the bundle, checks it against
 * the deployment and the instance, loads it onto the device and warms it with one full batch, so
 * that the first real batch does not pay for the graph's first run. Everything that can be wrong
 * with a bundle is a {@link DeploymentRefusedException} with its reason.
 *
 * @param inputSpec the input the instance prepares images for
 * @param device where the model runs ({@code auto}, {@code cpu}, {@code gpu:N})
 * @param topK the labels asked of every image
 * @param warmBatchSize images in the warm-up batch: the engine's largest batch
 */
public record ModelLoader(InputSpec inputSpec, String device, int topK, int warmBatchSize) {

    /** Verifies, loads and warms the bundle of {@code deployment}; the caller owns the result. */
    public ImageClassifier load(ModelDeployment deployment) throws DeploymentRefusedException {
        String location = deployment.getBundleLocation().toString();
        ModelBundle bundle = open(location);
        String sha256;
        try {
            sha256 = bundle.sha256();
        } catch (IOException e) {
            throw failure(e, "cannot read the files of bundle " + location);
        }
        String expected = deployment.getBundleSha256().toString().strip().toLowerCase();
        if (!sha256.equals(expected)) {
            throw new DeploymentRefusedException(
                    RefusalReason.SHA256_MISMATCH,
                    "bundle "
                            + location
                            + " has sha256 "
                            + sha256
                            + ", the deployment says "
                            + expected);
        }
        int classes = bundle.synset().size();
        if (classes < topK) {
            throw new DeploymentRefusedException(
                    RefusalReason.CLASS_COUNT,
                    "bundle "
                            + location
                            + " has "
                            + classes
                            + " classes, fewer than top.k="
                            + topK);
        }
        if (!bundle.inputSpec().equals(inputSpec)) {
            throw new DeploymentRefusedException(
                    RefusalReason.INPUT_SHAPE,
                    "bundle "
                            + location
                            + " takes "
                            + bundle.inputSpec()
                            + ", the instance prepares images as "
                            + inputSpec);
        }
        ImageClassifier classifier;
        try {
            classifier = ImageClassifier.open(bundle, device, topK);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new DeploymentRefusedException(
                    RefusalReason.CORRUPT,
                    "cannot load the parameters of bundle " + location + ": " + e.getMessage(),
                    e);
        }
        try {
            classifier.classify(
                    new TensorBatch(new float[warmBatchSize * inputSpec.size()], warmBatchSize));
        } catch (RuntimeException e) {
            classifier.close();
            throw new DeploymentRefusedException(
                    RefusalReason.LOAD_FAILED,
                    "the warm-up batch failed on bundle " + location + ": " + e.getMessage(),
                    e);
        }
        return classifier;
    }

    private static ModelBundle open(String location) throws DeploymentRefusedException {
        try {
            return ModelBundle.open(location);
        } catch (IOException | RuntimeException e) {
            throw failure(e, "cannot open bundle " + location);
        }
    }

    private static DeploymentRefusedException failure(Exception e, String what) {
        // Not there, or not reachable: nothing is known about the bundle's content.
        boolean missing =
                e instanceof FileNotFoundException
                        || e instanceof NoSuchFileException
                        || e instanceof ConnectException
                        || e instanceof UnknownHostException
                        || e instanceof HttpTimeoutException;
        return new DeploymentRefusedException(
                missing ? RefusalReason.MISSING : RefusalReason.CORRUPT,
                what + ": " + e.getMessage(),
                e);
    }
}
