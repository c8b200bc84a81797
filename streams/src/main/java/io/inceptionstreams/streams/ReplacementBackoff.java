package io.inceptionstreams.streams;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How long a failed stream thread waits before Kafka Streams replaces it: the first delay, doubled
 * with each recent replacement, up to a maximum, so that a failure that repeats does not spin. The
 * wait holds the failed thread (and its tasks), so {@link #cancel()} ends every wait at once, and
 * every later one before it starts: a close must not sit out a backoff.
 */
final class ReplacementBackoff {
    private final Duration first;
    private final Duration max;
    private final CountDownLatch cancelled = new CountDownLatch(1);

    ReplacementBackoff(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /** The delay before the replacement that makes {@code recent} within the window (1 or more). */
    Duration delay(int recent) {
        Duration delay = first.multipliedBy(1L << Math.min(Math.max(recent, 1) - 1, 30));
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /**
     * Waits out {@code delay}, unless cancelled.
     *
     * @return false when cancelled, before or during the wait
     */
    boolean await(Duration delay) throws InterruptedException {
        return !cancelled.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    void cancel() {
        cancelled.countDown();
    }
}
