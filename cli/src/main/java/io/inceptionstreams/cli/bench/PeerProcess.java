package io.inceptionstreams.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A peer pipeline run as a child process ({@code /bin/sh -c COMMAND}) against the benchmark's
 * broker and registry. What it must read, write and how is passed in environment variables (see
 * {@code bench/README.md}): it consumes {@code IMAGES_TOPIC} from the start and writes a {@code
 * LabelEvent} per image to {@code LABELS_TOPIC}; the benchmark times it exactly as it times the
 * service and stops it afterwards. Its output is copied, prefixed, to the benchmark's log.
 */
final class PeerProcess implements AutoCloseable {

    private final Process process;
    private final Thread pump;

    PeerProcess(String command, Map<String, String> environment, PrintWriter log)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of("/bin/sh", "-c", command));
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true);
        this.process = builder.start();
        this.pump =
                new Thread(
                        () -> {
                            try (BufferedReader out =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line = out.readLine();
                                        line != null;
                                        line = out.readLine()) {
                                    log.println("peer: " + line);
                                    log.flush();
                                }
                            } catch (IOException e) {
                                // the process is gone
                            }
                        },
                        "bench-peer-output");
        pump.setDaemon(true);
        pump.start();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or null while running. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** Asks the peer (and its children) to stop, then kills whatever is left after 5 s. */
    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        pump.join(1_000);
    }
}
