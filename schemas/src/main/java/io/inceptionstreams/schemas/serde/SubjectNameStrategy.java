package io.inceptionstreams.schemas.serde;

import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;

/**
 * The registry subject a record's schema is registered under, chosen with {@code
 * key.subject.name.strategy} / {@code value.subject.name.strategy}: {@link TopicNameStrategy} (the
 * default), {@link RecordNameStrategy} or {@link TopicRecordNameStrategy}, or any class
 * implementing this interface with a no-arg constructor.
 */
public interface SubjectNameStrategy {

    String subjectName(String topic, boolean isKey, Schema schema);

    /**
     * The strategy for a configured class name. Confluent's names ({@code
     * io.confluent.kafka.serializers.subject.TopicNameStrategy} ...) and the short names ({@code
     * TopicNameStrategy} ...) denote the built-in strategies of this package, so that Confluent
     * configurations work unchanged.
     *
     * @throws ConfigException when the class does not exist or is not a strategy
     */
    static SubjectNameStrategy forName(String name) {
        String confluentPackage = "io.confluent.kafka.serializers.subject.";
        String simpleName =
                name.startsWith(confluentPackage)
                        ? name.substring(confluentPackage.length())
                        : name;
        String className =
                simpleName.contains(".")
                        ? simpleName
                        : SubjectNameStrategy.class.getPackageName() + "." + simpleName;
        try {
            return Utils.newInstance(className, SubjectNameStrategy.class);
        } catch (ClassNotFoundException | RuntimeException e) {
            throw new ConfigException(
                    "Subject name strategy " + name + " is not a usable SubjectNameStrategy: " + e);
        }
    }
}
