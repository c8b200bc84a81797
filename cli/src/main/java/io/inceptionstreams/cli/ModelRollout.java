package io.inceptionstreams.cli;

import io.inceptionstreams.schemas.avro.DeploymentMode;
import io.inceptionstreams.schemas.avro.ModelDeployment;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.inceptionstreams.streams.rollout.ModelDeployments;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code model deploy}, {@code rollback} and {@code status}: the models topic, by hand. */
final class ModelRollout {

    private ModelRollout() {}

    private static ModelDeployments topic(ConfigOptions config) {
        ClassifierConfig settings = config.load(Map.of());
        if (settings.modelsTopic().isEmpty()) {
            throw new CommandFailedException(
                    "models.topic is empty: rollouts are off in this configuration");
        }
        return new ModelDeployments(
                settings.clientProperties(), settings.serdeConfig(), settings.modelsTopic());
    }

    static String describe(ModelDeployment deployment) {
        return String.format(
                "%s %s %s from %s (sha256 %s, requested %s)",
                deployment.getMode(),
                deployment.getModelName(),
                deployment.getModelVersion(),
                deployment.getBundleLocation(),
                deployment.getBundleSha256(),
                deployment.getRequestedAt());
    }

    @Command(
            name = "deploy",
            mixinStandardHelpOptions = true,
            description = {
                "Asks every instance to run a bundle: computes the bundle's sha256, reads its name"
                        + " and version from its descriptor, and writes the deployment to the"
                        + " models topic (created compacted if missing).",
                "The location must be readable by every instance as it is by this command."
            })
    static final class Deploy implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin ConfigOptions config;

        @Option(
                names = "--bundle",
                required = true,
                paramLabel = "LOCATION",
                description = "The bundle: a directory, classpath:folder or http(s) URL.")
        String bundle;

        @Option(
                names = "--version",
                paramLabel = "V",
                description = "The version the labels carry (default: the descriptor's).")
        String version;

        @Option(
                names = "--shadow",
                description =
                        "Deploy as the shadow model, beside the active one, instead of replacing"
                                + " it.")
        boolean shadow;

        @Override
        public Integer call() throws Exception {
            ModelDeployments models = topic(config);
            ModelDeployment deployment;
            try {
                deployment =
                        ModelDeployments.of(
                                bundle,
                                version,
                                shadow ? DeploymentMode.SHADOW : DeploymentMode.ACTIVE);
            } catch (IOException e) {
                throw new CommandFailedException(
                        "cannot read bundle " + bundle + ": " + e.getMessage(), e);
            }
            models.createIfMissing();
            models.write(deployment);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("deployed %s%n", describe(deployment));
            out.flush();
            return InceptionStreams.EXIT_OK;
        }
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description = {
                "Writes the active deployment before the current one again, read from the models"
                        + " topic's history.",
                "Fails when the topic keeps no earlier deployment (none was made, or compaction"
                        + " removed it): deploy that bundle again instead."
            })
    static final class Rollback implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin ConfigOptions config;

        @Override
        public Integer call() throws Exception {
            ModelDeployments models = topic(config);
            List<ModelDeployment> history = models.history();
            Optional<ModelDeployment> previous = ModelDeployments.previousActive(history);
            if (previous.isEmpty()) {
                throw new CommandFailedException(
                        "models topic "
                                + models.topic()
                                + " keeps no active deployment before the current one");
            }
            ModelDeployment again = ModelDeployments.again(previous.get());
            models.write(again);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("rolled back to %s%n", describe(again));
            out.flush();
            return InceptionStreams.EXIT_OK;
        }
    }

    @Command(
            name = "stop-shadow",
            mixinStandardHelpOptions = true,
            description =
                    "Stops the shadow model on every instance: writes a tombstone under the key"
                            + " shadow.")
    static final class StopShadow implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin ConfigOptions config;

        @Override
        public Integer call() throws Exception {
            ModelDeployments models = topic(config);
            models.stopShadow();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("stopped the shadow deployment on %s%n", models.topic());
            out.flush();
            return InceptionStreams.EXIT_OK;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description =
                    "Prints the deployments the models topic asks for and, with --instances,"
                            + " what each instance runs (its /model endpoint).")
    static final class Status implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin ConfigOptions config;

        @Option(
                names = "--instances",
                split = ",",
                paramLabel = "URL",
                description =
                        "Base URLs of instances' status servers (http://host:port), comma-separated.")
        List<String> instances = List.of();

        @Override
        public Integer call() throws Exception {
            ModelDeployments models = topic(config);
            List<ModelDeployment> history = models.history();
            PrintWriter out = spec.commandLine().getOut();
            for (DeploymentMode mode : DeploymentMode.values()) {
                Optional<ModelDeployment> current = ModelDeployments.current(history, mode);
                out.printf(
                        "%s: %s%n",
                        ModelDeployments.key(mode),
                        current.map(ModelRollout::describe).orElse("none"));
            }
            int exit = InceptionStreams.EXIT_OK;
            HttpClient client =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (String instance : instances) {
                String url = instance.endsWith("/") ? instance + "model" : instance + "/model";
                try {
                    HttpResponse<String> response =
                            client.send(
                                    HttpRequest.newBuilder(URI.create(url))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                    out.printf("%s: %s%n", instance, response.body().strip());
                } catch (IOException | IllegalArgumentException e) {
                    out.printf("%s: unreachable (%s)%n", instance, e.getMessage());
                    exit = InceptionStreams.EXIT_FAILURE;
                }
            }
            out.flush();
            return exit;
        }
    }
}
