package io.inceptionstreams.schemas.registry;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;

/**
 * An in-memory schema registry: subjects, their versions, registry-wide schema ids and GUIDs and
 * compatibility levels, with Confluent's semantics and error codes. It backs both the {@code
 * mock://} client ({@link MockSchemaRegistry}) and the embedded HTTP server, so both behave alike.
 *
 * <ul>
 *   <li>Ids start at 1 and are global and stable: a schema (compared by its canonical JSON, i.e.
 *       {@link Schema#toString()} of the parsed schema, which keeps docs, defaults and properties
 *       but not whitespace) has one id whatever the subject. Ids are never reused.
 *   <li>Each id has a GUID, the name-based UUID of the canonical JSON, so the same schema has the
 *       same GUID in every store (Confluent derives its GUIDs otherwise: compare them only within
 *       one registry).
 *   <li>Registering a schema already live in a subject returns its version without a new one.
 *   <li>A new version must pass the subject's compatibility level, or the global one (default
 *       {@link CompatibilityLevel#BACKWARD}) when the subject has none, against the subject's live
 *       versions.
 *   <li>Deleting is two steps, as in Confluent's registry. A soft delete (of a version or of a
 *       whole subject) hides the versions from every subject and version look-up but keeps their
 *       ids and GUIDs resolvable, and the subject keeps counting versions if registered again. A
 *       permanent delete, allowed only of what is already soft-deleted, removes the versions; a
 *       schema id no version refers to any more then stops resolving, and a subject left without
 *       versions is forgotten (its numbering starts again at 1).
 * </ul>
 *
 * <p>Failures are {@link SchemaRegistryException}s carrying the {@link RegistryError}. Thread-safe.
 */
public final class SchemaStore {
    /** The version number that means the latest version, as {@code -1} does in Confluent's API. */
    public static final int LATEST = -1;

    private final Map<String, Integer> idsByCanonicalSchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<Integer, UUID> guidsById = new HashMap<>();
    private final Map<UUID, Integer> idsByGuid = new HashMap<>();
    private final Map<String, Subject> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int lastId;

    private static final class Version {
        final RegisteredSchema registered;
        boolean softDeleted;

        Version(RegisteredSchema registered) {
            this.registered = registered;
        }
    }

    private static final class Subject {
        /** Live and soft-deleted versions, oldest first. */
        final List<Version> versions = new ArrayList<>();

        int lastVersion;

        List<RegisteredSchema> live() {
            return versions.stream()
                    .filter(version -> !version.softDeleted)
                    .map(version -> version.registered)
                    .toList();
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
     * A version as Confluent's API spells it: a number from 1, or {@code latest} or {@code -1}
     * (both {@link #LATEST}).
     *
     * @throws SchemaRegistryException 42202 for anything else
     */
    public static int parseVersion(String version) {
        if (version.equals("latest") || version.equals("-1")) {
            return LATEST;
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            number = 0;
        }
        if (number < 1) {
            throw RegistryError.INVALID_VERSION.exception(
                    "The specified version '"
                            + version
                            + "' is not a valid version id. Allowed values are between [1, "
                            + Integer.MAX_VALUE
                            + "] and the string \"latest\"");
        }
        return number;
    }

    /**
     * Registers {@code schema} under {@code subject}, or returns the live version already holding
     * it.
     */
    public synchronized RegisteredSchema register(String subject, Schema schema) {
        String canonical = schema.toString();
        Integer knownId = idsByCanonicalSchema.get(canonical);
        Subject versions = subjects.computeIfAbsent(subject, name -> new Subject());
        List<RegisteredSchema> live = versions.live();
        if (knownId != null) {
            Optional<RegisteredSchema> existing =
                    live.stream().filter(version -> version.id() == knownId).findFirst();
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        List<String> problems =
                compatibility(subject)
                        .incompatibilities(
                                schema, live.stream().map(RegisteredSchema::schema).toList());
        if (!problems.isEmpty()) {
            if (versions.versions.isEmpty()) {
                subjects.remove(subject);
            }
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
        versions.versions.add(new Version(registered));
        return registered;
    }

    private int assignId(String canonical, Schema schema) {
        int id = ++lastId;
        idsByCanonicalSchema.put(canonical, id);
        schemasById.put(id, schema);
        UUID guid = UUID.nameUUIDFromBytes(canonical.getBytes(UTF_8));
        guidsById.put(id, guid);
        idsByGuid.put(guid, id);
        return id;
    }

    /** The live version of {@code subject} holding {@code schema}. */
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        List<RegisteredSchema> live = existing(subject).live();
        Integer id = idsByCanonicalSchema.get(schema.toString());
        return live.stream()
                .filter(version -> id != null && version.id() == id)
                .findFirst()
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

    /** The GUID of schema {@code id}. */
    public synchronized UUID guidById(int id) {
        schemaById(id);
        return guidsById.get(id);
    }

    /** The schema with {@code guid}, failing with 40403 like an unknown id. */
    public synchronized Schema schemaByGuid(UUID guid) {
        Integer id = idsByGuid.get(guid);
        if (id == null) {
            throw RegistryError.SCHEMA_NOT_FOUND.exception(
                    "Schema with GUID " + guid + " not found");
        }
        return schemasById.get(id);
    }

    /** The subjects with a live version holding schema {@code id}, sorted. */
    public synchronized List<String> subjectsById(int id) {
        return versionsById(id).stream().map(RegisteredSchema::subject).distinct().toList();
    }

    /** The live versions holding schema {@code id}, by subject then version. */
    public synchronized List<RegisteredSchema> versionsById(int id) {
        schemaById(id);
        return subjects.values().stream()
                .flatMap(subject -> subject.live().stream())
                .filter(version -> version.id() == id)
                .toList();
    }

    /** The subjects having at least one live version, sorted. */
    public synchronized List<String> subjects() {
        return subjects.entrySet().stream()
                .filter(entry -> !entry.getValue().live().isEmpty())
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The numbers of the live versions of {@code subject}. */
    public synchronized List<Integer> versions(String subject) {
        return existing(subject).live().stream().map(RegisteredSchema::version).toList();
    }

    /**
     * A live version of {@code subject}.
     *
     * @param version a number from 1, or {@link #LATEST}
     */
    public synchronized RegisteredSchema version(String subject, int version) {
        if (version == LATEST) {
            return latest(subject);
        }
        return existing(subject).live().stream()
                .filter(registered -> registered.version() == version)
                .findFirst()
                .orElseThrow(() -> versionNotFound(version));
    }

    public synchronized RegisteredSchema latest(String subject) {
        List<RegisteredSchema> live = existing(subject).live();
        return live.get(live.size() - 1);
    }

    /**
     * Deletes every version of {@code subject}, returning their numbers.
     *
     * @param permanent false for a soft delete of the live versions (40404 when there are none
     *     left); true to remove a subject already soft-deleted (40405 while a version is live)
     */
    public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        Subject deleted = known(subject);
        List<RegisteredSchema> live = deleted.live();
        if (!permanent) {
            if (live.isEmpty()) {
                throw RegistryError.SUBJECT_SOFT_DELETED.exception(
                        "Subject '"
                                + subject
                                + "' is already soft-deleted; delete it with permanent=true to"
                                + " remove it for good");
            }
            deleted.versions.forEach(version -> version.softDeleted = true);
            return live.stream().map(RegisteredSchema::version).toList();
        }
        if (!live.isEmpty()) {
            throw RegistryError.SUBJECT_NOT_SOFT_DELETED.exception(
                    "Subject '"
                            + subject
                            + "' must be soft-deleted (without permanent=true) before it is"
                            + " deleted permanently");
        }
        List<Integer> numbers =
                deleted.versions.stream().map(version -> version.registered.version()).toList();
        subjects.remove(subject);
        forgetUnreferencedIds();
        return numbers;
    }

    /** Soft-deletes every version of {@code subject}, returning their numbers. */
    public synchronized List<Integer> deleteSubject(String subject) {
        return deleteSubject(subject, false);
    }

    /**
     * Deletes one version of {@code subject}, returning its number.
     *
     * @param version a number from 1, or {@link #LATEST} for the latest version, soft-deleted or
     *     not
     * @param permanent false for a soft delete (40406 if it is already soft-deleted); true to
     *     remove a version already soft-deleted (40407 while it is live)
     */
    public synchronized int deleteVersion(String subject, int version, boolean permanent) {
        Subject versions = known(subject);
        Version target =
                version == LATEST
                        ? versions.versions.get(versions.versions.size() - 1)
                        : versions.versions.stream()
                                .filter(candidate -> candidate.registered.version() == version)
                                .findFirst()
                                .orElseThrow(() -> versionNotFound(version));
        int number = target.registered.version();
        if (!permanent) {
            if (target.softDeleted) {
                throw RegistryError.VERSION_SOFT_DELETED.exception(
                        "Version "
                                + number
                                + " of subject '"
                                + subject
                                + "' is already soft-deleted; delete it with permanent=true to"
                                + " remove it for good");
            }
            target.softDeleted = true;
            return number;
        }
        if (!target.softDeleted) {
            throw RegistryError.VERSION_NOT_SOFT_DELETED.exception(
                    "Version "
                            + number
                            + " of subject '"
                            + subject
                            + "' must be soft-deleted (without permanent=true) before it is"
                            + " deleted permanently");
        }
        versions.versions.remove(target);
        if (versions.versions.isEmpty()) {
            subjects.remove(subject);
        }
        forgetUnreferencedIds();
        return number;
    }

    /**
     * Why {@code candidate} may not follow version {@code version} of {@code subject} at the
     * subject's level; empty when it may.
     *
     * @param version a number from 1, or {@link #LATEST}
     */
    public synchronized List<String> incompatibilities(
            String subject, int version, Schema candidate) {
        Schema tested = version(subject, version).schema();
        return compatibility(subject).incompatibilities(candidate, List.of(tested));
    }

    /**
     * Why {@code candidate} could not be registered under {@code subject} at its level, checked
     * against its live versions (the latest only or all, as the level says); empty when it could. A
     * subject without live versions accepts any schema.
     */
    public synchronized List<String> incompatibilities(String subject, Schema candidate) {
        Subject found = subjects.get(subject);
        List<Schema> live =
                found == null
                        ? List.of()
                        : found.live().stream().map(RegisteredSchema::schema).toList();
        return compatibility(subject).incompatibilities(candidate, live);
    }

    private void forgetUnreferencedIds() {
        List<Integer> referenced =
                subjects.values().stream()
                        .flatMap(subject -> subject.versions.stream())
                        .map(version -> version.registered.id())
                        .distinct()
                        .toList();
        List<Integer> unreferenced =
                schemasById.keySet().stream().filter(id -> !referenced.contains(id)).toList();
        for (Integer id : unreferenced) {
            idsByCanonicalSchema.remove(schemasById.remove(id).toString());
            idsByGuid.remove(guidsById.remove(id));
        }
    }

    private static SchemaRegistryException versionNotFound(int version) {
        return RegistryError.VERSION_NOT_FOUND.exception("Version " + version + " not found.");
    }

    /** A subject with at least one live version. */
    private Subject existing(String subject) {
        Subject found = subjects.get(subject);
        if (found == null || found.live().isEmpty()) {
            throw subjectNotFound(subject);
        }
        return found;
    }

    /** A subject with at least one version, live or soft-deleted. */
    private Subject known(String subject) {
        Subject found = subjects.get(subject);
        if (found == null || found.versions.isEmpty()) {
            throw subjectNotFound(subject);
        }
        return found;
    }

    private static SchemaRegistryException subjectNotFound(String subject) {
        return RegistryError.SUBJECT_NOT_FOUND.exception("Subject '" + subject + "' not found.");
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

    /**
     * Removes the subject's own level, so that it follows the global one again.
     *
     * @return the level the subject followed until now: its own, or the global one if it had none
     * @throws SchemaRegistryException 40401 when the subject has neither versions nor a level
     */
    public synchronized CompatibilityLevel deleteSubjectCompatibility(String subject) {
        CompatibilityLevel own = subjectLevels.remove(subject);
        if (own != null) {
            return own;
        }
        known(subject);
        return globalLevel;
    }

    private CompatibilityLevel compatibility(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }
}
