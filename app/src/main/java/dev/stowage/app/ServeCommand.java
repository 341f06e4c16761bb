package dev.stowage.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the registry.",
                "Settings come from defaults, then --config, then STOWAGE_* environment variables, then these options."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "YAML configuration file")
    Path config;

    @Option(names = {"-p", "--port"}, description = "HTTP port (default 5000)")
    Integer port;

    @Option(names = {"--data"}, description = "storage directory for blobs and the embedded database (default ./data)")
    Path data;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (port != null) env.put("STOWAGE_HTTP_PORT", port.toString());
        if (data != null) env.put("STOWAGE_STORAGE_PATH", data.toString());
        StowageConfig settings = StowageConfig.load(config, env);
        Stowage stowage = Stowage.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(stowage::close, "shutdown"));
        stowage.awaitClose();
        return 0;
    }
}
