package dev.stowage.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the registry.",
                "Settings come from defaults, then --config, then STOWAGE_* environment variables, then these options."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = {"-p", "--port"}, description = "HTTP port (default 5000)")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new HashMap<>();
        if (port != null) overrides.put("STOWAGE_HTTP_PORT", port.toString());
        Stowage stowage = Stowage.start(options.load(overrides));
        Runtime.getRuntime().addShutdownHook(new Thread(stowage::close, "shutdown"));
        stowage.awaitClose();
        return 0;
    }
}
