package io.inceptionstreams.schemas.registry;

import java.util.UUID;

/** How clients name what they were doing in their error messages, so that all read alike. */
final class RegistryOperations {
    private RegistryOperations() {}

    static String register(String subject) {
        return "Registering a schema under subject '" + subject + "'";
    }

    static String lookup(String subject) {
        return "Looking up a schema under subject '" + subject + "'";
    }

    static String fetchById(int id) {
        return "Fetching schema id " + id;
    }

    static String fetchByGuid(UUID guid) {
        return "Fetching schema GUID " + guid;
    }

    static String fetchGuid(int id) {
        return "Fetching the GUID of schema id " + id;
    }

    static String testCompatibility(String subject, String version) {
        return "Testing compatibility with version " + version + " of subject '" + subject + "'";
    }

    static String fetchLatest(String subject) {
        return "Fetching the latest version of subject '" + subject + "'";
    }

    static String listSubjects() {
        return "Listing the subjects";
    }
}
