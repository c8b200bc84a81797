package io.inceptionstreams.streams.topology;

import io.inceptionstreams.streams.config.ClassifierConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of an instance's RocksDB stores, whatever the number of tasks it owns:
 * all the stores of one Kafka Streams instance (one application id and state directory) share one
 * LRU block cache of {@value ClassifierConfig#ROCKSDB_MEMORY_BYTES}, which also holds their index
 * and filter blocks, and their write buffers are charged to that cache, up to a quarter of it, by
 * one write buffer manager, which flushes a memtable when they would take more.
 *
 * <p>Kafka Streams makes one setter per store ({@code rocksdb.config.setter}, set by {@link
 * ClassifierTopology#streamsProperties}); the shared cache is freed when the instance's last store
 * closes.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** The budget in bytes, among the Kafka Streams properties. */
    public static final String MEMORY_BYTES_CONFIG =
            "inception." + ClassifierConfig.ROCKSDB_MEMORY_BYTES;

    /** The write buffers may take up to 1 / this of the budget. */
    static final int WRITE_BUFFER_SHARE = 4;

    /** Index and filter blocks keep this fraction of the cache for themselves. */
    private static final double HIGH_PRIORITY_RATIO = 0.1;

    /** Shared memory by instance; guarded by itself. */
    private static final Map<String, SharedMemory> SHARED = new HashMap<>();

    private String instance;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object bytes = configs.get(MEMORY_BYTES_CONFIG);
        if (bytes == null) {
            throw new ConfigException(
                    getClass().getName() + " needs " + MEMORY_BYTES_CONFIG + " (in bytes)");
        }
        instance =
                configs.get(StreamsConfig.APPLICATION_ID_CONFIG)
                        + " in "
                        + configs.get(StreamsConfig.STATE_DIR_CONFIG);
        SharedMemory memory = acquire(instance, Long.parseLong(bytes.toString()));
        // The table configuration Kafka Streams put there: its metrics read the cache from it.
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(memory.cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(memory.writeBuffers);
    }

    @Override
    public void close(String storeName, Options options) {
        if (instance != null) {
            release(instance);
            instance = null;
        }
    }

    private static SharedMemory acquire(String instance, long bytes) {
        synchronized (SHARED) {
            SharedMemory memory = SHARED.computeIfAbsent(instance, key -> new SharedMemory(bytes));
            memory.stores++;
            return memory;
        }
    }

    private static void release(String instance) {
        synchronized (SHARED) {
            SharedMemory memory = SHARED.get(instance);
            if (memory != null && --memory.stores == 0) {
                SHARED.remove(instance);
                memory.writeBuffers.close();
                memory.cache.close();
            }
        }
    }

    private static final class SharedMemory {
        final Cache cache;
        final WriteBufferManager writeBuffers;
        int stores;

        SharedMemory(long bytes) {
            cache = new LRUCache(bytes, -1, false, HIGH_PRIORITY_RATIO);
            writeBuffers = new WriteBufferManager(bytes / WRITE_BUFFER_SHARE, cache);
        }
    }
}
