package dev.stowage.scanner;

import dev.stowage.scanning.inventory.Inventory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Reads an image's inventory from its layers, in order. */
@FunctionalInterface
public interface ImageReader {
    Inventory read(List<Layer> layers) throws IOException;

    /** A layer: its digest, media type and a way to stream its blob. */
    record Layer(String digest, String mediaType, Opener opener) {}

    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }
}
