package io.inceptionstreams.streams.kafka;

import io.inceptionstreams.streams.ClassifierService;
import io.inceptionstreams.streams.config.ClassifierConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
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

    /** With this system property set, the process prints {@value #HEAP_LINE} lines. */
    public static final String REPORT_HEAP_PROPERTY = "classifier.process.report.heap";

    /** Prefix of a line giving the heap in use, in bytes, right after a full collection. */
    public static final String HEAP_LINE = "heap-after-gc=";

    private ClassifierProcess() {}

    public static void main(String[] args) throws Exception {
        ClassifierConfig config = ClassifierConfig.load(Path.of(args[0]), Map.of(), Map.of());
        ClassifierService service = ClassifierService.start(config, new SimpleMeterRegistry());
        System.out.println(STARTED + ": " + service.state());
        if (Boolean.getBoolean(REPORT_HEAP_PROPERTY)) {
            reportHeapEverySecond();
        }
        new CountDownLatch(1).await();
    }

    private static void reportHeapEverySecond() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        while (true) {
            Thread.sleep(1_000);
            memory.gc();
            System.out.println(HEAP_LINE + memory.getHeapMemoryUsage().getUsed());
        }
    }
}
