package io.inceptionstreams.schemas.registry;

import org.apache.avro.Schema;

/**
 * One version of a subject: the answer of a lookup or of a version fetch.
 *
 * @param subject the subject the schema is registered under
 * @param version the version within the subject, from 1
 * @param id the registry-wide schema id, the one written in the wire format
 * @param schema the registered schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {}
