package io.inceptionstreams.model.bundle;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * GoogLeNet from DJL's MXNet model zoo ({@code djl://ai.djl.mxnet/googlenet}): GluonCV's ImageNet
 * weights, 224x224 RGB input normalised with the ImageNet mean and standard deviation, 1000
 * classes. DJL downloads the artifacts into its cache ({@code ~/.djl.ai}) on first use, so this
 * works only where DJL's repository is reachable; it cannot be exercised on a machine without that
 * network, which is why the project's default bundle is trained here instead.
 */
final class ZooBundles {

    static final InputSpec IMAGENET_INPUT =
            new InputSpec(
                    224,
                    224,
                    3,
                    new float[] {0.485f, 0.456f, 0.406f},
                    new float[] {0.229f, 0.224f, 0.225f});

    private ZooBundles() {}

    static ModelBundle open(String url) throws IOException {
        if (!url.matches("djl://[^/]+/googlenet(/.*)?(\\?.*)?")) {
            throw new IOException(
                    "unsupported model-zoo URL "
                            + url
                            + ": only GoogLeNet (e.g. djl://ai.djl.mxnet/googlenet) is supported");
        }
        try (ZooModel<NDList, NDList> model = criteria(url, Device.cpu()).loadModel()) {
            Path synsetFile = model.getModelPath().resolve(ModelBundle.SYNSET);
            List<String> synset =
                    Files.readAllLines(synsetFile, StandardCharsets.UTF_8).stream()
                            .map(String::strip)
                            .filter(line -> !line.isEmpty())
                            .toList();
            BundleDescriptor descriptor =
                    new BundleDescriptor(
                            "googlenet-imagenet",
                            "zoo",
                            BundleDescriptor.GOOGLENET,
                            IMAGENET_INPUT,
                            synset.size(),
                            false,
                            "float32");
            return ModelBundle.ofZoo(url, descriptor, synset);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IOException(
                    "could not load "
                            + url
                            + " from DJL's model zoo (it needs network access on first use): "
                            + e.getMessage(),
                    e);
        }
    }

    static Model load(String url, Device device) throws IOException, MalformedModelException {
        try {
            return criteria(url, device).loadModel();
        } catch (ModelNotFoundException e) {
            throw new IOException(
                    "could not load " + url + " from DJL's model zoo: " + e.getMessage(), e);
        }
    }

    private static Criteria<NDList, NDList> criteria(String url, Device device) {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelUrls(url)
                .optEngine("MXNet")
                .optDevice(device)
                .build();
    }
}
