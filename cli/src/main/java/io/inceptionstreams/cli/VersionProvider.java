package io.inceptionstreams.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, with the Java and OS it runs on. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = InceptionStreams.class.getPackage().getImplementationVersion();
        return new String[] {
            "inception-streams " + (version == null ? "(development build)" : version),
            "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name")
        };
    }
}
