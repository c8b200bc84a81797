package io.inceptionstreams.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;

/**
 * An in-memory schema registry: subjects, their versions, registry-wide schema ids and
 * compatibility levels, with Confluent's semantics and error codes. It backs both the {@code
 * mock://} client ({@link MockSchemaRegistry}) and the embedded HTTP server, so both behave alike.
 *
 * <ul>
 *   <li>Ids start at 1 and are global and stable: a schema (compared by its canonical JSON, i.e.
 *       {@link Schema#toString()} of the parsed schema, which keeps docs, defaults and properties
 *       but not whitespace) has one id whatever the subject.
 *   <li>Registering a schema already present in a subject returns its id without a new version.
 *   <li>A new version must pass the subject's compatibility level, or the global one (default
 *       {@link CompatibilityLevel#BACKWARD}) when the subject has none.
 *   <li>Deleting a subject hides its versions but, like Confluent's soft delete, keeps the ids
 *       resolvable and keeps counting versions if the subject is registered again.
 * </ul>
 *
 * <p>Failures are {@link SchemaRegistryException}s carrying the {@link RegistryError}. Thread-safe.
 */
public final class SchemaStore {
    private final Map<String, Integer> idsByCanonicalSchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Subject> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;

    private static final class Subject {
        final List<RegisteredSchema> versions = new ArrayList<>();
        int lastVersion;

        Optional<RegisteredSchema> withId(Integer id) {
            return versions.stream().filter(version -> id.equals(version.id())).findFirst();
        }
    }

    /** Parses Avro schema JSON, failing with {@link RegistryError#INVALID_SCHEMA}. */
    public static Schema parse(String schemaJson) {
        try {
            return SchemaParser.parseSingle(schemaJson);
        } catch (RuntimeException e) {
            throw RegistryError.INVALID_SCHEMA.exception("Invalid schema: " + e.getMessage());
        }
    }

    /**
     * Registers {@code schema} under {@code subject}, or returns the version already holding it.
     */
    public synchronized RegisteredSchema register(String subject, Schema schema) {
        String canonical = schema.toString();
        Integer knownId = idsByCanonicalSchema.get(canonical);
        Subject versions = subjects.computeIfAbsent(subject, name -> new Subject());
        if (knownId != null) {
            Optional<RegisteredSchema> existing = versions.withId(knownId);
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        List<String> problems =
                compatibility(subject)
                        .incompatibilities(
                                schema,
                                versions.versions.stream().map(RegisteredSchema::schema).toList());
        if (!problems.isEmpty()) {
            throw RegistryError.INCOMPATIBLE_SCHEMA.exception(
                    "Schema being registered is incompatible with an earlier schema for subject '"
                            + subject
                            + "' at compatibility level "
                            + compatibility(subject)
                            + ": "
                            + String.join("; ", problems));
        }
        int id = knownId != null ? knownId : assignId(canonical, schema);
        RegisteredSchema registered =
                new RegisteredSchema(subject, ++versions.lastVersion, id, schemasById.get(id));
        versions.versions.add(registered);
        return registered;
    }

    private int assignId(String canonical, Schema schema) {
        int id = schemasById.size() + 1;
        idsByCanonicalSchema.put(canonical, id);
        schemasById.put(id, schema);
        return id;
    }

    /** The version of {@code subject} holding {@code schema}. */
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        Subject versions = existing(subject);
        Integer id = idsByCanonicalSchema.get(schema.toString());
        return Optional.ofNullable(id)
                .flatMap(versions::withId)
                .orElseThrow(
                        () ->
                                RegistryError.SCHEMA_NOT_FOUND.exception(
                                        "Schema not found under subject '" + subject + "'"));
    }

    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw RegistryError.SCHEMA_NOT_FOUND.exception("Schema " + id + " not found");
        }
        return schema;
    }

    /** The subjects having at least one live version, sorted. */
    public synchronized List<String> subjects() {
        return subjects.entrySet().stream()
                .filter(entry -> !entry.getValue().versions.isEmpty())
                .map(Map.Entry::getKey)
                .toList();
    }

    public synchronized List<Integer> versions(String subject) {
        return existing(subject).versions.stream().map(RegisteredSchema::version).toList();
    }

    public synchronized RegisteredSchema version(String subject, int version) {
        return existing(subject).versions.stream()
                .filter(registered -> registered.version() == version)
                .findFirst()
                .orElseThrow(
                        () ->
                                RegistryError.VERSION_NOT_FOUND.exception(
                                        "Version " + version + " not found."));
    }

    public synchronized RegisteredSchema latest(String subject) {
        List<RegisteredSchema> versions = existing(subject).versions;
        return versions.get(versions.size() - 1);
    }

    /** Deletes every version of {@code subject}, returning their numbers. */
    public synchronized List<Integer> deleteSubject(String subject) {
        Subject deleted = existing(subject);
        List<Integer> numbers = deleted.versions.stream().map(RegisteredSchema::version).toList();
        deleted.versions.clear();
        return numbers;
    }

    private Subject existing(String subject) {
        Subject found = subjects.get(subject);
        if (found == null || found.versions.isEmpty()) {
            throw RegistryError.SUBJECT_NOT_FOUND.exception("Subject '" + subject + "' not found.");
        }
        return found;
    }

    public synchronized CompatibilityLevel globalCompatibility() {
        return globalLevel;
    }

    public synchronized void setGlobalCompatibility(CompatibilityLevel level) {
        globalLevel = level;
    }

    /** The subject's own level, if one was set; subjects without one follow the global level. */
    public synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    public synchronized void setSubjectCompatibility(String subject, CompatibilityLevel level) {
        subjectLevels.put(subject, level);
    }

    private CompatibilityLevel compatibility(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }
}
