package io.inceptionstreams.model.preprocess;

import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

/**
 * The decoded-raster memory that may be in flight at once across every thread using one decoder: a
 * decode reserves its declared raster size before reading it and gives it back once the caller is
 * done with the image, waiting while others hold the budget.
 *
 * <p>Counted in KiB (rounded up) so that a budget of up to 2 TiB fits a semaphore's int permits.
 * The semaphore is fair, so a large image is not starved by a stream of small ones. A single
 * reservation never exceeds the capacity (larger rasters are rejected before they get here, and
 * {@link #reserve} clamps), so it cannot wait for ever.
 */
final class DecodeBudget {

    private static final long KIB = 1024;

    private final int capacityKib;
    private final Semaphore permits;

    DecodeBudget(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException(
                    "decode budget must be positive, got " + capacityBytes);
        }
        this.capacityKib = (int) Math.min(Integer.MAX_VALUE, kib(capacityBytes));
        this.permits = new Semaphore(capacityKib, true);
    }

    /**
     * Waits until {@code bytes} of the budget are free and takes them.
     *
     * @throws CancellationException if the thread is interrupted while waiting (its interrupt
     *     status is kept): the caller is being shut down, which says nothing about the image
     */
    Reservation reserve(long bytes) {
        int wanted = (int) Math.min(capacityKib, Math.max(1, kib(bytes)));
        try {
            permits.acquire(wanted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException cancelled =
                    new CancellationException(
                            "interrupted while waiting for " + bytes + " bytes of decode budget");
            cancelled.initCause(e);
            throw cancelled;
        }
        return new Reservation(wanted);
    }

    /** The budget not reserved at the moment, in bytes (a multiple of 1 KiB). */
    long availableBytes() {
        return permits.availablePermits() * KIB;
    }

    private static long kib(long bytes) {
        return bytes / KIB + (bytes % KIB == 0 ? 0 : 1);
    }

    /** Reserved budget, given back once by {@link #close()}. */
    final class Reservation implements AutoCloseable {
        private int held;

        private Reservation(int held) {
            this.held = held;
        }

        @Override
        public void close() {
            int released = held;
            held = 0;
            if (released > 0) {
                permits.release(released);
            }
        }
    }
}
