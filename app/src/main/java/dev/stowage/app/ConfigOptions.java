package dev.stowage.app;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The options every command that reads the configuration shares: a file, and the storage directory. */
final class ConfigOptions {
    @Option(names = {"-c", "--config"}, description = "YAML configuration file")
    Path config;

    @Option(names = {"--data"}, description = "storage directory for blobs and the embedded database (default ./data)")
    Path data;

    /** Defaults, then the file, then STOWAGE_* variables, then these options and {@code overrides}. */
    StowageConfig load(Map<String, String> overrides) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (data != null) env.put("STOWAGE_STORAGE_PATH", data.toString());
        env.putAll(overrides);
        return StowageConfig.load(config, env, ConfigOptions::warn);
    }

    /** A warning for the operator, on stderr before logging starts (and apart from logs that are shipped elsewhere). */
    static void warn(String warning) {
        System.err.println("stowage: " + warning);
    }
}
