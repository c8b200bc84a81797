package io.inceptionstreams.schemas.serde;

import org.apache.avro.Schema;

/** The record's full name: one schema lineage per record type, whatever the topic. */
public final class RecordNameStrategy implements SubjectNameStrategy {
    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return NamedSchemas.fullName(schema);
    }
}
