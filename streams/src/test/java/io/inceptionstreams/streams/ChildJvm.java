package io.inceptionstreams.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A new JVM running a main class of this test classpath: for tests that kill or signal it. */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * A process builder for {@code mainClass} with {@code args}, MXNet on two threads, DJL offline
     * and the command line's logging; the classpath goes into an argument file in {@code dir},
     * since it may be longer than a command line should be.
     */
    public static ProcessBuilder builder(Path dir, String mainClass, String... args)
            throws IOException {
        return builder(dir, mainClass, List.of("-Xmx512m"), args);
    }

    /** As {@link #builder(Path, String, String...)}, with {@code jvmOptions} (heap size...). */
    public static ProcessBuilder builder(
            Path dir, String mainClass, List<String> jvmOptions, String... args)
            throws IOException {
        String classpath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        Path arguments = Files.createTempFile(dir, "child-", ".args");
        Files.writeString(arguments, "-cp \"" + classpath + "\"\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + arguments);
        command.addAll(jvmOptions);
        command.add("-Doffline=true");
        // The command line's own logging (to standard error), as users get it; without this the
        // test classpath's two configurations make Logback report on standard output.
        command.add("-Dlogback.configurationFile=logback.xml");
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("OMP_NUM_THREADS", "2");
        return builder;
    }
}
