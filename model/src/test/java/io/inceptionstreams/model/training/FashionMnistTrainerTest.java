package io.inceptionstreams.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.model.bundle.ModelBundle;
import io.inceptionstreams.model.fashionmnist.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTrainerTest {

    @TempDir Path dir;

    private TrainingOptions options(int epochs, boolean resume) {
        return new TrainingOptions(
                FashionMnist.defaultDir(),
                dir.resolve("bundle"),
                dir.resolve("checkpoints"),
                epochs,
                32,
                1e-3f,
                48,
                7,
                true,
                resume,
                128,
                64,
                "cpu",
                "0.0.1-test");
    }

    @Test
    void shouldTrainCheckpointResumeAndWriteALoadableBundle() throws Exception {
        // Given one epoch on a small slice of the training set
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Evaluation first =
                new FashionMnistTrainer(options(1, false), new PrintStream(log, true)).train();

        // Then a checkpoint and a bundle exist, and the evaluation counted the requested images
        assertThat(first.count()).isEqualTo(64);
        assertThat(checkpointEpoch()).isEqualTo(1);
        ModelBundle bundle = ModelBundle.open(dir.resolve("bundle").toString());
        assertThat(bundle.synset()).isEqualTo(FashionMnist.CLASS_NAMES);
        assertThat(bundle.descriptor().parametersDataType()).isEqualTo("float16");
        assertThat(bundle.inputSpec().width()).isEqualTo(48);

        // When a second run resumes to two epochs
        ByteArrayOutputStream resumed = new ByteArrayOutputStream();
        new FashionMnistTrainer(options(2, true), new PrintStream(resumed, true)).train();

        // Then it trained only the missing epoch
        String output = resumed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("resumed from").contains("after epoch 1");
        assertThat(output).contains("epoch 2/2").doesNotContain("epoch 1/2");
        assertThat(checkpointEpoch()).isEqualTo(2);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("loss", "accuracy");
    }

    @Test
    void shouldRefuseToResumeWithoutACheckpoint() {
        assertThatThrownBy(
                        () ->
                                new FashionMnistTrainer(
                                                options(1, true),
                                                new PrintStream(new ByteArrayOutputStream()))
                                        .train())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no checkpoint");
    }

    private int checkpointEpoch() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(dir.resolve("checkpoints/checkpoint.properties"))) {
            p.load(in);
        }
        return Integer.parseInt(p.getProperty("epoch"));
    }
}
