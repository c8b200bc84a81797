package io.inceptionstreams.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionstreams.embeddedkafka.EmbeddedKafkaCluster;
import io.inceptionstreams.model.TestNetworks;
import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import io.inceptionstreams.schemas.registry.MockSchemaRegistry;
import io.inceptionstreams.streams.ClassifierService.Health;
import io.inceptionstreams.streams.http.StatusServer;
import io.inceptionstreams.streams.rollout.ModelDeployments;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code model deploy}, {@code rollback} and {@code status} against a real broker. */
@Timeout(90)
class ModelRolloutCommandTest {
    private static final String SCOPE = ModelRolloutCommandTest.class.getSimpleName();
    private static final String REGISTRY = "mock://" + SCOPE;

    @TempDir static Path bundles;
    private static EmbeddedKafkaCluster kafka;
    private static ModelBundle v1;
    private static ModelBundle v2;
    private final String topic = "models-" + UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafkaCluster.start();
        v1 =
                TestNetworks.randomBundle(
                        bundles.resolve("v1"),
                        "float32",
                        "1",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
        v2 =
                TestNetworks.randomBundle(
                        bundles.resolve("v2"),
                        "float32",
                        "2",
                        TestNetworks.LABELS,
                        TestNetworks.GRAY_48);
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @AfterEach
    void dropRegistry() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void shouldDeployWithTheBundlesSha256AndRollBackToThePreviousActiveDeployment()
            throws Exception {
        // Given version 1 deployed, then version 2 under another version name
        CommandResult first = model("deploy", "--bundle", v1.location());
        assertThat(first.exitCode()).as(first.err()).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(first.out()).startsWith("deployed ACTIVE test-net 1 from " + v1.location());
        CommandResult second = model("deploy", "--bundle", v2.location(), "--version", "2b");
        assertThat(second.out()).contains("test-net 2b").contains(v2.sha256());
        assertThat(model("status").outLines())
                .contains("shadow: none")
                .anyMatch(line -> line.startsWith("active: ACTIVE test-net 2b"));

        // When rolled back, twice
        CommandResult rollback = model("rollback");
        List<String> afterOne = model("status").outLines();
        CommandResult again = model("rollback");

        // Then the first goes back to 1, the second forth to 2b: the record before the current
        assertThat(rollback.exitCode()).as(rollback.err()).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(rollback.out()).startsWith("rolled back to ACTIVE test-net 1 from ");
        assertThat(afterOne).anyMatch(line -> line.startsWith("active: ACTIVE test-net 1 from"));
        assertThat(again.out()).startsWith("rolled back to ACTIVE test-net 2b from ");
        List<ModelDeployment> history = deployments().history();
        assertThat(history).hasSize(4);
        assertThat(history.get(0).getBundleSha256().toString()).isEqualTo(v1.sha256());
        assertThat(history).allMatch(d -> d.getMode() == DeploymentMode.ACTIVE);
    }

    @Test
    void shouldFailWithoutWritingForABundleItCannotRead() throws Exception {
        CommandResult result = model("deploy", "--bundle", bundles.resolve("nowhere").toString());

        assertThat(result.exitCode()).isEqualTo(InceptionStreams.EXIT_FAILURE);
        assertThat(result.err()).contains("cannot read bundle").contains("nowhere");
        assertThat(model("rollback").err()).contains("keeps no active deployment");
    }

    @Test
    void shouldListWhatEachInstanceRuns() throws Exception {
        // Given a deployment and an instance's status server
        model("deploy", "--bundle", v1.location(), "--shadow");
        try (StatusServer instance =
                StatusServer.start(
                        0,
                        () -> new Health(true, "ok"),
                        () -> "",
                        () -> "{\"active\":{\"version\":\"1\"}}")) {
            String url = "http://localhost:" + instance.port();

            // When
            CommandResult status = model("status", "--instances", url + ",http://localhost:1");

            // Then
            assertThat(status.outLines())
                    .contains("active: none")
                    .anyMatch(line -> line.startsWith("shadow: SHADOW test-net 1"))
                    .contains(url + ": {\"active\":{\"version\":\"1\"}}")
                    .anyMatch(line -> line.startsWith("http://localhost:1: unreachable"));
            assertThat(status.exitCode()).isEqualTo(InceptionStreams.EXIT_FAILURE);
        }

        // When the shadow is stopped, Then the topic asks for none
        assertThat(model("stop-shadow").exitCode()).isEqualTo(InceptionStreams.EXIT_OK);
        assertThat(model("status").outLines()).contains("shadow: none");
    }

    private CommandResult model(String... args) {
        List<String> all =
                new java.util.ArrayList<>(
                        List.of(
                                "model",
                                args[0],
                                "-b",
                                kafka.bootstrapServers(),
                                "-r",
                                REGISTRY,
                                "--set",
                                "models.topic=" + topic));
        all.addAll(List.of(args).subList(1, args.length));
        return CommandResult.run(all.toArray(String[]::new));
    }

    private ModelDeployments deployments() {
        return new ModelDeployments(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                Map.of("schema.registry.url", REGISTRY),
                topic);
    }
}
