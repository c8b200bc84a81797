package io.inceptionstreams.streams.topology;

import io.inceptionstreams.streams.config.ClassifierConfig;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
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
 * and filter blocks, and their write buffers are charged to that cache, up to half of it, by one
 * write buffer manager, which flushes a memtable when they would take more.
 *
 * <p>Kafka Streams makes one setter per store ({@code rocksdb.config.setter}, set by {@link
 * ClassifierTopology#streamsProperties}); the shared memory is freed when no store of the instance
 * uses it any more. A store counts as using it while its {@link Options} are open: when a store
 * fails to open, Kafka Streams closes its options without calling {@link #close}, so counting
 * setter calls alone would keep the memory of a closed instance for the life of the JVM.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** The budget in bytes, among the Kafka Streams properties. */
    public static final String MEMORY_BYTES_CONFIG =
            "inception." + ClassifierConfig.ROCKSDB_MEMORY_BYTES;

    /** The write buffers may take up to 1 / this of the budget. */
    private static final int WRITE_BUFFER_SHARE = 2;

    /**
     * 4 shards: a stored image is one data block of up to about a MiB, and RocksDB's default of a
     * shard per 512 KiB would let reading one evict a whole shard.
     */
    private static final int CACHE_SHARD_BITS = 2;

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
        // The table configuration Kafka Streams put there: its metrics read the cache from it.
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        instance =
                configs.get(StreamsConfig.APPLICATION_ID_CONFIG)
                        + " in "
                        + configs.get(StreamsConfig.STATE_DIR_CONFIG);
        SharedMemory memory = acquire(instance, Long.parseLong(bytes.toString()), options);
        table.setBlockCache(memory.cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(memory.writeBuffers);
    }

    @Override
    public void close(String storeName, Options options) {
        if (instance != null) {
            release(instance, options);
            instance = null;
        }
    }

    private static SharedMemory acquire(String instance, long bytes, Options options) {
        synchronized (SHARED) {
            SharedMemory memory = SHARED.get(instance);
            if (memory != null && memory.unused()) {
                memory.free();
                memory = null;
            }
            if (memory == null) {
                memory = new SharedMemory(bytes);
                SHARED.put(instance, memory);
            }
            memory.stores.add(options);
            return memory;
        }
    }

    private static void release(String instance, Options options) {
        synchronized (SHARED) {
            SharedMemory memory = SHARED.get(instance);
            if (memory == null) {
                return;
            }
            memory.stores.remove(options);
            if (memory.unused()) {
                SHARED.remove(instance);
                memory.free();
            }
        }
    }

    private static final class SharedMemory {
        final Cache cache;
        final WriteBufferManager writeBuffers;
        final Set<Options> stores = Collections.newSetFromMap(new IdentityHashMap<>());

        SharedMemory(long bytes) {
            cache = new LRUCache(bytes, CACHE_SHARD_BITS, false, HIGH_PRIORITY_RATIO);
            writeBuffers = new WriteBufferManager(bytes / WRITE_BUFFER_SHARE, cache);
        }

        /** Forgets the stores whose options are closed; true when no open store is left. */
        boolean unused() {
            stores.removeIf(options -> !options.isOwningHandle());
            return stores.isEmpty();
        }

        void free() {
            writeBuffers.close();
            cache.close();
        }
    }
}
