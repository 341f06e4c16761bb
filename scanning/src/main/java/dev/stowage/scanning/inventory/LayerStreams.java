package dev.stowage.scanning.inventory;

import io.airlift.compress.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Turns a layer blob into its tar stream: decompressed by what the bytes are (gzip and zstd by their magic numbers, as
 * containerd does, since some registries and tools label layers wrongly), bounded in decompressed bytes, and with every
 * failure of the data told apart from a failure of the storage underneath.
 */
final class LayerStreams {
    private static final int BUFFER = 64 * 1024;

    private LayerStreams() {
    }

    /** The layer cannot be read as a filesystem layer; the message says why. The rest of the image still can. */
    static final class UnreadableLayerException extends IOException {
        UnreadableLayerException(String message) {
            super(message);
        }
    }

    /** Reading the blob itself failed (storage, network): not the image's fault, so the scan fails and can be retried. */
    static final class BlobReadException extends IOException {
        BlobReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Whether the media type names a filesystem layer (or is unknown, left to the bytes to decide). */
    /**
     * Whether a layer of this media type is read: every one but an encrypted layer (which cannot be). A container
     * runtime sniffs the compression and unpacks whatever an image manifest lists, whatever type it declares, so the
     * scanner must too: a layer declared {@code application/octet-stream} is still a filesystem to whoever runs it.
     */
    static boolean isLayerMediaType(String mediaType) {
        return mediaType == null || !mediaType.toLowerCase(Locale.ROOT).contains("encrypted");
    }

    static InputStream tarStream(InputStream blob, InventoryLimits limits) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(new StorageErrors(blob), BUFFER);
        raw.mark(4);
        byte[] magic = raw.readNBytes(4);
        raw.reset();
        InputStream decompressed;
        String format;
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            format = "gzip";
            decompressed = corruptionAsUnreadable(format, () -> new GZIPInputStream(raw, BUFFER));
        } else if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            format = "zstd";
            InputStream framed = new ZstdFrameGuard(raw, limits.maxZstdWindowBytes());
            decompressed = corruptionAsUnreadable(format, () -> new ZstdInputStream(framed));
        } else {
            format = "tar";
            decompressed = raw;
        }
        return new DecompressedLimit(new CorruptionGuard(decompressed, format), limits.maxLayerBytes());
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private static InputStream corruptionAsUnreadable(String format, Opener opener) throws IOException {
        try {
            return opener.open();
        } catch (BlobReadException | UnreadableLayerException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnreadableLayerException("corrupt " + format + " data: " + describe(e));
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Marks every failure of the blob stream itself, so the layers above can tell it from corrupt data. */
    private static final class StorageErrors extends FilterInputStream {
        StorageErrors(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw new BlobReadException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw new BlobReadException(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException e) {
                throw new BlobReadException(e);
            }
        }
    }

    /** A decompressor's complaint (an IOException, or a RuntimeException from the zstd decoder) becomes the layer's. */
    private static final class CorruptionGuard extends ReadThroughFilterStream {
        private final String format;

        CorruptionGuard(InputStream in, String format) {
            super(in);
            this.format = format;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (BlobReadException | UnreadableLayerException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new UnreadableLayerException("corrupt " + format + " data: " + describe(e));
            }
        }
    }

    /** Stops a layer that decompresses to more than the limit: a decompression bomb must not keep a worker busy. */
    private static final class DecompressedLimit extends ReadThroughFilterStream {
        private final long limit;
        private long count;

        DecompressedLimit(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (count > limit) {
                    throw new UnreadableLayerException("layer decompresses to more than " + limit
                            + " bytes (the per-layer limit; a decompression bomb?)");
                }
            }
            return n;
        }
    }

    /**
     * Reads the zstd frame structure as the bytes pass to the decoder (RFC 8878, section 3.1), to refuse a frame whose
     * window is larger than the limit before the decoder allocates it: the decoder sizes its buffer by the window the
     * frame declares, so a small hostile frame could otherwise claim gigabytes of heap.
     */
    static final class ZstdFrameGuard extends ReadThroughFilterStream {
        private static final int ZSTD_MAGIC = 0xFD2FB528;
        private static final int SKIPPABLE_MAGIC_MASK = 0xFFFFFFF0;
        private static final int SKIPPABLE_MAGIC = 0x184D2A50;

        private enum State { MAGIC, SKIPPABLE_SIZE, SKIP_THEN_MAGIC, DESCRIPTOR, HEADER, BLOCK_HEADER, SKIP_THEN_BLOCK, CHECKSUM }

        private final long maxWindow;
        private State state = State.MAGIC;
        private long field;
        private int fieldBytes;
        private long remaining;
        private int descriptor;
        private final byte[] header = new byte[14];
        private int headerLength;
        private boolean lastBlock;

        ZstdFrameGuard(InputStream in, long maxWindow) {
            super(in);
            this.maxWindow = maxWindow;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                inspect(b, off, n);
            }
            return n;
        }

        private void inspect(byte[] b, int off, int len) throws UnreadableLayerException {
            int i = off;
            int end = off + len;
            while (i < end) {
                switch (state) {
                    case SKIP_THEN_MAGIC, SKIP_THEN_BLOCK -> {
                        int step = (int) Math.min(remaining, end - i);
                        i += step;
                        remaining -= step;
                        if (remaining == 0) {
                            state = state == State.SKIP_THEN_MAGIC ? State.MAGIC : afterBlock();
                        }
                    }
                    case CHECKSUM -> {
                        int step = (int) Math.min(remaining, end - i);
                        i += step;
                        remaining -= step;
                        if (remaining == 0) {
                            state = State.MAGIC;
                        }
                    }
                    case DESCRIPTOR -> {
                        descriptor = b[i++] & 0xff;
                        if ((descriptor & 0x08) != 0) {
                            throw new UnreadableLayerException("corrupt zstd data: reserved frame header bit set");
                        }
                        headerLength = 0;
                        remaining = headerSize(descriptor);
                        if (remaining == 0) {
                            checkWindow();
                            state = State.BLOCK_HEADER;
                            startField();
                        } else {
                            state = State.HEADER;
                        }
                    }
                    case HEADER -> {
                        header[headerLength++] = b[i++];
                        if (--remaining == 0) {
                            checkWindow();
                            state = State.BLOCK_HEADER;
                            startField();
                        }
                    }
                    case MAGIC, SKIPPABLE_SIZE, BLOCK_HEADER -> {
                        int size = state == State.BLOCK_HEADER ? 3 : 4;
                        field |= (long) (b[i++] & 0xff) << (8 * fieldBytes);
                        if (++fieldBytes == size) {
                            completeField();
                        }
                    }
                }
            }
        }

        private void startField() {
            field = 0;
            fieldBytes = 0;
        }

        private void completeField() throws UnreadableLayerException {
            long value = field;
            startField();
            switch (state) {
                case MAGIC -> {
                    int magic = (int) value;
                    if (magic == ZSTD_MAGIC) {
                        state = State.DESCRIPTOR;
                    } else if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC) {
                        state = State.SKIPPABLE_SIZE;
                    } else {
                        throw new UnreadableLayerException("corrupt zstd data: no frame magic number where a frame starts");
                    }
                }
                case SKIPPABLE_SIZE -> {
                    remaining = value;
                    state = remaining == 0 ? State.MAGIC : State.SKIP_THEN_MAGIC;
                }
                case BLOCK_HEADER -> {
                    lastBlock = (value & 1) != 0;
                    int type = (int) ((value >> 1) & 3);
                    long size = value >>> 3;
                    if (type == 3) {
                        throw new UnreadableLayerException("corrupt zstd data: reserved block type");
                    }
                    remaining = type == 1 ? 1 : size;
                    state = remaining == 0 ? afterBlock() : State.SKIP_THEN_BLOCK;
                }
                default -> throw new IllegalStateException(state.name());
            }
        }

        private State afterBlock() {
            if (!lastBlock) {
                return State.BLOCK_HEADER;
            }
            if ((descriptor & 0x04) != 0) {
                remaining = 4;
                return State.CHECKSUM;
            }
            return State.MAGIC;
        }

        private static int headerSize(int descriptor) {
            boolean singleSegment = (descriptor & 0x20) != 0;
            int contentSizeFlag = descriptor >> 6;
            int dictionaryFlag = descriptor & 3;
            int windowBytes = singleSegment ? 0 : 1;
            int dictionaryBytes = new int[] {0, 1, 2, 4}[dictionaryFlag];
            int contentSizeBytes = new int[] {singleSegment ? 1 : 0, 2, 4, 8}[contentSizeFlag];
            return windowBytes + dictionaryBytes + contentSizeBytes;
        }

        private void checkWindow() throws UnreadableLayerException {
            boolean singleSegment = (descriptor & 0x20) != 0;
            long window;
            if (singleSegment) {
                int contentSizeFlag = descriptor >> 6;
                int dictionaryBytes = new int[] {0, 1, 2, 4}[descriptor & 3];
                int length = new int[] {1, 2, 4, 8}[contentSizeFlag];
                long size = 0;
                for (int k = 0; k < length; k++) {
                    size |= (long) (header[dictionaryBytes + k] & 0xff) << (8 * k);
                }
                window = contentSizeFlag == 1 ? size + 256 : size;
                if (window < 0) {
                    window = Long.MAX_VALUE;
                }
            } else {
                int windowDescriptor = header[0] & 0xff;
                int log = 10 + (windowDescriptor >> 3);
                long base = 1L << log;
                window = base + (base / 8) * (windowDescriptor & 7);
            }
            if (window > maxWindow) {
                throw new UnreadableLayerException("zstd frame needs a " + window + "-byte window, over the "
                        + maxWindow + "-byte limit");
            }
        }
    }
}
