package io.inceptionstreams.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.Cache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * The setter on options as Kafka Streams' RocksDBStore prepares them (its table configuration that
 * exposes the cache to the store metrics). Each test uses state directories of its own, since the
 * shared memory is per JVM.
 */
class BoundedRocksDbMemoryTest {
    private final String stateDir = "/state/" + UUID.randomUUID();
    private final List<Options> options = new ArrayList<>();

    @AfterEach
    void closeOptions() {
        options.forEach(Options::close);
    }

    @Test
    void shouldShareOneBudgetAmongTheStoresOfAnInstanceAndFreeItWithTheLast() {
        // Given two stores of one instance and one of another
        BoundedRocksDbMemory first = new BoundedRocksDbMemory();
        BoundedRocksDbMemory second = new BoundedRocksDbMemory();
        BoundedRocksDbMemory other = new BoundedRocksDbMemory();
        Options firstOptions = configured(first, stateDir + "/a");
        Options secondOptions = configured(second, stateDir + "/a");
        Options otherOptions = configured(other, stateDir + "/b");

        // Then the instance's two stores share one block cache and one write buffer manager, the
        // other instance has its own
        Cache cache = cacheOf(firstOptions);
        WriteBufferManager writeBuffers = firstOptions.writeBufferManager();
        assertThat(cacheOf(secondOptions)).isSameAs(cache);
        assertThat(secondOptions.writeBufferManager()).isSameAs(writeBuffers);
        assertThat(cacheOf(otherOptions)).isNotSameAs(cache);
        assertThat(otherOptions.writeBufferManager()).isNotSameAs(writeBuffers);

        // And the shared memory outlives the first store's close, not the last one's
        first.close("pending-images", firstOptions);
        assertThat(cache.isOwningHandle()).isTrue();
        second.close("pending-images", secondOptions);
        assertThat(cache.isOwningHandle()).isFalse();
        assertThat(writeBuffers.isOwningHandle()).isFalse();
        assertThat(cacheOf(otherOptions).isOwningHandle()).isTrue();
        other.close("pending-images", otherOptions);

        // And a store opened afterwards gets fresh memory
        BoundedRocksDbMemory reopened = new BoundedRocksDbMemory();
        Options reopenedOptions = configured(reopened, stateDir + "/a");
        assertThat(cacheOf(reopenedOptions).isOwningHandle()).isTrue();
        reopened.close("pending-images", reopenedOptions);
    }

    @Test
    void shouldNotCountAStoreThatFailedToOpenAndWasNeverClosed() {
        // Given a store whose open failed: Kafka Streams closed its options, not the setter
        BoundedRocksDbMemory failed = new BoundedRocksDbMemory();
        Options failedOptions = configured(failed, stateDir);
        Cache cache = cacheOf(failedOptions);
        failedOptions.close();

        // When the task is opened again and then closed
        BoundedRocksDbMemory retried = new BoundedRocksDbMemory();
        Options retriedOptions = configured(retried, stateDir);
        retried.close("pending-images", retriedOptions);

        // Then no store uses the memory any more, and it is freed
        assertThat(cacheOf(retriedOptions).isOwningHandle()).isFalse();
        assertThat(cache.isOwningHandle()).isFalse();
    }

    @Test
    void shouldNameTheMissingBudget() {
        Options bare = kafkaStreamsOptions();

        assertThatThrownBy(
                        () ->
                                new BoundedRocksDbMemory()
                                        .setConfig(
                                                "pending-images",
                                                bare,
                                                Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "app")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(BoundedRocksDbMemory.MEMORY_BYTES_CONFIG);
    }

    private Options configured(BoundedRocksDbMemory setter, String dir) {
        Options store = kafkaStreamsOptions();
        setter.setConfig(
                "pending-images",
                store,
                Map.of(
                        StreamsConfig.APPLICATION_ID_CONFIG,
                        "app",
                        StreamsConfig.STATE_DIR_CONFIG,
                        dir,
                        BoundedRocksDbMemory.MEMORY_BYTES_CONFIG,
                        8L << 20));
        return store;
    }

    private static Cache cacheOf(Options store) {
        return ((BlockBasedTableConfigWithAccessibleCache) store.tableFormatConfig()).blockCache();
    }

    /** Options with the table configuration RocksDBStore gives a setter. */
    private Options kafkaStreamsOptions() {
        Options store =
                new Options().setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
        options.add(store);
        return store;
    }
}
