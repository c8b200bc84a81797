package io.inceptionstreams.streams.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which deployment a rollback writes, and how a deployment names its bundle. */
class ModelDeploymentsTest {

    private static ModelDeployment deployment(String version, DeploymentMode mode) {
        return ModelDeployment.newBuilder()
                .setModelName("net")
                .setModelVersion(version)
                .setBundleLocation("/models/" + version)
                .setBundleSha256(version.repeat(64).substring(0, 64))
                .setMode(mode)
                .setRequestedAt(Instant.EPOCH)
                .build();
    }

    @Test
    void shouldRollBackToTheLatestEarlierActiveDeploymentOfAnotherVersion() {
        List<ModelDeployment> history =
                List.of(
                        deployment("1", DeploymentMode.ACTIVE),
                        deployment("2", DeploymentMode.ACTIVE),
                        deployment("3", DeploymentMode.SHADOW),
                        deployment("2", DeploymentMode.ACTIVE));

        assertThat(ModelDeployments.previousActive(history))
                .hasValueSatisfying(d -> assertThat(d.getModelVersion().toString()).isEqualTo("1"));
        assertThat(ModelDeployments.current(history, DeploymentMode.SHADOW))
                .hasValueSatisfying(d -> assertThat(d.getModelVersion().toString()).isEqualTo("3"));
    }

    @Test
    void shouldHaveNothingToRollBackToWithASingleActiveDeployment() {
        assertThat(
                        ModelDeployments.previousActive(
                                List.of(
                                        deployment("1", DeploymentMode.ACTIVE),
                                        deployment("1", DeploymentMode.ACTIVE))))
                .isEmpty();
        assertThat(ModelDeployments.previousActive(List.of())).isEmpty();
    }

    @Test
    void shouldNameALocalBundleByItsAbsolutePathAndKeepOtherLocations() {
        assertThat(ModelDeployments.absolute("bundles/v2"))
                .isEqualTo(Path.of("bundles/v2").toAbsolutePath().toString());
        assertThat(ModelDeployments.absolute("classpath:bundles/x"))
                .isEqualTo("classpath:bundles/x");
        assertThat(ModelDeployments.absolute("https://models.example/v2"))
                .isEqualTo("https://models.example/v2");
        assertThat(ModelDeployments.key(DeploymentMode.SHADOW)).isEqualTo("shadow");
    }
}
