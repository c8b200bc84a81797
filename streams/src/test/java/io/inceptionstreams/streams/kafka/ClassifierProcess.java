package io.inceptionstreams.streams.kafka;

import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A classifier instance in a JVM of its own, for tests that crash it: starts {@link
 * ClassifierService} from the properties file named by the first argument and runs until the
 * process is killed. There is deliberately no shutdown hook, so no kill closes it cleanly.
 */
public final class ClassifierProcess {
    public static final String STARTED = "classifier process started";

    private ClassifierProcess() {}

    public static void main(String[] args) throws Exception {
        ClassifierConfig config = ClassifierConfig.load(Path.of(args[0]), Map.of(), Map.of());
        ClassifierService service = ClassifierService.start(config, new SimpleMeterRegistry());
        System.out.println(STARTED + ": " + service.state());
        new CountDownLatch(1).await();
    }
}
