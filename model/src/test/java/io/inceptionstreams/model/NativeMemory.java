package io.inceptionstreams.model;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/** What native code (MXNet) holds in this process, for the memory tests. */
public final class NativeMemory {
    private NativeMemory() {}

    /**
     * VmRSS of this process, from /proc/self/status, after a collection, less the memory the JVM
     * has committed to its heap and its own non-heap areas: heap growth (of other test classes in
     * the same JVM too) does not count.
     */
    public static long residentBytes() throws IOException {
        System.gc();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long jvm =
                memory.getHeapMemoryUsage().getCommitted()
                        + memory.getNonHeapMemoryUsage().getCommitted();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 - jvm;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
