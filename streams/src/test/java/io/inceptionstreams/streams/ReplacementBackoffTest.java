package io.inceptionstreams.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReplacementBackoffTest {
    private final ReplacementBackoff backoff =
            new ReplacementBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    @Test
    void shouldDoubleTheDelayWithEachRecentReplacementUpToTheMaximum() {
        assertThat(IntStream.rangeClosed(1, 9).mapToObj(backoff::delay).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(backoff.delay(1000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void shouldWaitOutTheDelayUnlessCancelled() throws Exception {
        long start = System.nanoTime();

        assertThat(backoff.await(Duration.ofMillis(200))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void shouldEndAWaitInProgressWhenCancelled() throws Exception {
        // Given a failed thread waiting out an hour
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread failed =
                new Thread(
                        () -> {
                            try {
                                waited.complete(backoff.await(Duration.ofHours(1)));
                            } catch (InterruptedException e) {
                                waited.completeExceptionally(e);
                            }
                        });
        failed.start();
        while (failed.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(10);
        }

        // When the service closes
        backoff.cancel();

        // Then the wait ends, reporting that it was cut short (the hour would trip the timeout)
        assertThat(waited.get(20, TimeUnit.SECONDS)).isFalse();
        failed.join();
    }

    @Test
    void shouldNotWaitAtAllOnceCancelled() throws Exception {
        backoff.cancel();

        assertThat(backoff.await(Duration.ofHours(1))).isFalse();
    }
}
