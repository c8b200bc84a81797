package io.inceptionstreams.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

class BoundedRocksDbMemoryTest {
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
        Options firstOptions = configured(first, "app", "/state/a");
        Options secondOptions = configured(second, "app", "/state/a");
        Options otherOptions = configured(other, "app", "/state/b");

        // Then the instance's two stores share one write buffer manager (charged to one cache),
        // the other instance has its own
        WriteBufferManager shared = firstOptions.writeBufferManager();
        assertThat(secondOptions.writeBufferManager()).isSameAs(shared);
        assertThat(otherOptions.writeBufferManager()).isNotSameAs(shared);

        // And the shared memory outlives the first store's close, not the last one's
        first.close("pending-images", firstOptions);
        assertThat(shared.isOwningHandle()).isTrue();
        second.close("pending-images", secondOptions);
        assertThat(shared.isOwningHandle()).isFalse();
        assertThat(otherOptions.writeBufferManager().isOwningHandle()).isTrue();
        other.close("pending-images", otherOptions);

        // And a store opened afterwards gets fresh memory
        BoundedRocksDbMemory reopened = new BoundedRocksDbMemory();
        Options reopenedOptions = configured(reopened, "app", "/state/a");
        assertThat(reopenedOptions.writeBufferManager().isOwningHandle()).isTrue();
        reopened.close("pending-images", reopenedOptions);
    }

    @Test
    void shouldNameTheMissingBudget() {
        Options bare = newOptions();

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

    private Options configured(BoundedRocksDbMemory setter, String app, String stateDir) {
        Options store = newOptions();
        setter.setConfig(
                "pending-images",
                store,
                Map.of(
                        StreamsConfig.APPLICATION_ID_CONFIG,
                        app,
                        StreamsConfig.STATE_DIR_CONFIG,
                        stateDir,
                        BoundedRocksDbMemory.MEMORY_BYTES_CONFIG,
                        8L << 20));
        return store;
    }

    private Options newOptions() {
        Options store = new Options().setTableFormatConfig(new BlockBasedTableConfig());
        options.add(store);
        return store;
    }
}
