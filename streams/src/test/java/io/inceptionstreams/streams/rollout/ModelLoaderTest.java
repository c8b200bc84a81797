package io.inceptionstreams.streams.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.classify.ImageClassifier;
import io.inceptionstreams.model.preprocess.InputSpec;
import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a deployment must be for an instance to load it, and the reason it is refused otherwise. */
@Timeout(90)
class ModelLoaderTest {
    @TempDir static Path bundles;
    private static ModelBundle good;
    private final ModelLoader loader = new ModelLoader(TestNetworks.GRAY_48, "cpu", 2, 8);

    @BeforeAll
    static void writeBundle() throws Exception {
        good =
                TestNetworks.randomBundle(
                        bundles.resolve("good"),
                        "float32",
                        "2",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
    }

    static ModelDeployment deployment(ModelBundle bundle, String sha256) {
        return ModelDeployment.newBuilder()
                .setModelName(bundle.descriptor().name())
                .setModelVersion(bundle.descriptor().version())
                .setBundleLocation(bundle.location())
                .setBundleSha256(sha256)
                .setMode(DeploymentMode.ACTIVE)
                .setRequestedAt(Instant.now())
                .build();
    }

    @Test
    void shouldLoadAndWarmAVerifiedBundle() throws Exception {
        try (ImageClassifier classifier = loader.load(deployment(good, good.sha256()))) {
            assertThat(classifier.bundle().descriptor().version()).isEqualTo("2");
        }
    }

    @Test
    void shouldRefuseABundleWhoseFilesDoNotMatchTheSha256() throws Exception {
        String other = "0".repeat(64);
        assertRefused(deployment(good, other), RefusalReason.SHA256_MISMATCH, other);
    }

    @Test
    void shouldRefuseTruncatedParametersEvenWithTheirOwnSha256() throws Exception {
        // Given a copy of the bundle with half its parameters, hashed as it now is
        Path copy = Files.createDirectories(bundles.resolve("truncated"));
        for (String name : ModelBundle.FILES) {
            Files.copy(Path.of(good.location()).resolve(name), copy.resolve(name));
        }
        byte[] parameters = Files.readAllBytes(copy.resolve("parameters.ndlist"));
        Files.write(
                copy.resolve("parameters.ndlist"),
                java.util.Arrays.copyOf(parameters, parameters.length / 2));
        ModelBundle truncated = ModelBundle.open(copy.toString());

        // When / Then
        assertRefused(
                deployment(truncated, truncated.sha256()), RefusalReason.CORRUPT, "parameters");
    }

    @Test
    void shouldRefuseAModelWithFewerClassesThanTopK() throws Exception {
        ModelBundle one =
                TestNetworks.randomBundle(
                        bundles.resolve("one-class"),
                        "float32",
                        "3",
                        List.of("cat"),
                        TestNetworks.GRAY_48);
        assertRefused(deployment(one, one.sha256()), RefusalReason.CLASS_COUNT, "top.k=2");
    }

    @Test
    void shouldRefuseAModelOfAnotherInputShape() throws Exception {
        ModelBundle wide =
                TestNetworks.randomBundle(
                        bundles.resolve("wide"),
                        "float32",
                        "4",
                        TestNetworks.LABELS,
                        new InputSpec(64, 64, 1, new float[] {0.5f}, new float[] {0.25f}));
        assertRefused(deployment(wide, wide.sha256()), RefusalReason.INPUT_SHAPE, "takes");
    }

    @Test
    void shouldRefuseAMissingBundle() {
        ModelDeployment missing = deployment(good, "0".repeat(64));
        missing.setBundleLocation(bundles.resolve("nowhere").toString());
        assertRefused(missing, RefusalReason.MISSING, "nowhere");
    }

    @Test
    void shouldRefuseABundleAtAnUnreachableUrlAsMissing() {
        ModelDeployment unreachable = deployment(good, "0".repeat(64));
        unreachable.setBundleLocation("http://127.0.0.1:1/bundles/v2");
        assertRefused(unreachable, RefusalReason.MISSING, "127.0.0.1:1");
    }

    private void assertRefused(ModelDeployment deployment, RefusalReason reason, String message) {
        assertThatThrownBy(() -> loader.load(deployment).close())
                .isInstanceOf(DeploymentRefusedException.class)
                .hasMessageContaining(message)
                .satisfies(
                        e ->
                                assertThat(((DeploymentRefusedException) e).reason())
                                        .isEqualTo(reason));
    }
}
