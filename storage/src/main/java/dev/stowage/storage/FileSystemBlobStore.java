package dev.stowage.storage;

import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;
import dev.stowage.core.spi.BlobContent;
import dev.stowage.core.spi.BlobStore;
import dev.stowage.core.spi.UploadSink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Blobs on a local filesystem: {@code <root>/blobs/<algorithm>/<first two hex>/<hex>} for committed content,
 * {@code <root>/uploads/<uuid>} for uploads in progress. A commit fsyncs the temporary file, renames it into place
 * atomically and fsyncs the directory, so after a crash a blob path holds either nothing or the whole content.
 */
public final class FileSystemBlobStore implements BlobStore {
    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int REHASH_BUFFER = 1 << 20;

    private final Path blobsRoot;
    private final Path uploadsRoot;
    /** SHA-256 state of uploads between requests, so a chunked upload never rereads what it already hashed. */
    private final ConcurrentHashMap<String, HashState> hashStates = new ConcurrentHashMap<>();

    private record HashState(MessageDigest sha256, long offset) {}

    /**
     * Private repositories' content is readable by this user only: directories 0700, files 0600, whatever the
     * umask (blobs keep the mode of the upload file they were renamed from).
     */
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }

    public FileSystemBlobStore(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        this.blobsRoot = Files.createDirectories(absolute.resolve("blobs"), ownerOnly(OWNER_DIRECTORY));
        this.uploadsRoot = Files.createDirectories(absolute.resolve("uploads"), ownerOnly(OWNER_DIRECTORY));
    }

    @Override
    public Optional<BlobContent> open(Digest digest) throws IOException {
        Path path = blobPath(digest);
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(new FileBlob(path, size));
    }

    @Override
    public boolean exists(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    @Override
    public UploadSink createUpload(String uploadId) throws IOException {
        Path path = uploadPath(uploadId);
        FileChannel channel = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.READ), ownerOnly(OWNER_FILE));
        return new FileUploadSink(uploadId, path, channel, Digest.newMessageDigest(Digest.SHA256), 0);
    }

    @Override
    public UploadSink resumeUpload(String uploadId, long offset) throws IOException {
        Path path = uploadPath(uploadId);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload data is gone: " + uploadId);
        }
        try {
            long onDisk = channel.size();
            if (onDisk < offset) {
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "upload " + uploadId + " lost data (has "
                        + onDisk + " bytes, expected " + offset + "); start a new upload");
            }
            if (onDisk > offset) channel.truncate(offset);
            HashState state = hashStates.remove(uploadId);
            MessageDigest sha256 = state != null && state.offset() == offset ? state.sha256() : rehash(channel, offset, Digest.SHA256);
            channel.position(offset);
            return new FileUploadSink(uploadId, path, channel, sha256, offset);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void deleteUpload(String uploadId) throws IOException {
        hashStates.remove(uploadId);
        Files.deleteIfExists(uploadPath(uploadId));
    }

    @Override
    public List<String> listUploads() throws IOException {
        try (Stream<Path> files = Files.list(uploadsRoot)) {
            List<String> ids = new ArrayList<>();
            files.map(p -> p.getFileName().toString()).filter(n -> UPLOAD_ID.matcher(n).matches()).forEach(ids::add);
            return ids;
        }
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(blobPath(digest));
    }

    Path blobPath(Digest digest) {
        // Digest's factory admits only known algorithms and fixed-length lower-case hex: safe as path segments.
        return blobsRoot.resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    private Path uploadPath(String uploadId) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "invalid upload id");
        }
        return uploadsRoot.resolve(uploadId);
    }

    private static MessageDigest rehash(FileChannel channel, long length, String algorithm) throws IOException {
        MessageDigest digest = Digest.newMessageDigest(algorithm);
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(REHASH_BUFFER, Math.max(length, 1)));
        long position = 0;
        while (position < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
            int read = channel.read(buffer, position);
            if (read < 0) throw new IOException("upload shrank while rehashing");
            buffer.flip();
            digest.update(buffer);
            position += read;
        }
        return digest;
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private final class FileUploadSink implements UploadSink {
        private final String uploadId;
        private final Path path;
        private final FileChannel channel;
        private final MessageDigest sha256;
        private long size;
        private boolean finished;

        FileUploadSink(String uploadId, Path path, FileChannel channel, MessageDigest sha256, long size) {
            this.uploadId = uploadId;
            this.path = path;
            this.channel = channel;
            this.sha256 = sha256;
            this.size = size;
        }

        @Override public String uploadId() { return uploadId; }

        @Override public long size() { return size; }

        @Override
        public void write(ByteBuffer buffer) throws IOException {
            int length = buffer.remaining();
            sha256.update(buffer.duplicate());
            while (buffer.hasRemaining()) channel.write(buffer);
            size += length;
        }

        @Override
        public void flush() {
            // The page cache is enough between chunks: the digest check at commit catches bytes a crash lost.
        }

        /** What {@link #verify} found, and at which size, so a commit right after does not hash again. */
        private Digest verified;
        private long verifiedSize = -1;

        @Override
        public void verify(Digest expected) throws IOException, DigestMismatchException {
            if (expected.equals(verified) && verifiedSize == size) return;
            Digest actual = Digest.SHA256.equals(expected.algorithm())
                    ? Digest.of(Digest.SHA256, ((MessageDigest) sha256Clone()).digest())
                    : Digest.of(expected.algorithm(), rehash(channel, size, expected.algorithm()).digest());
            if (!actual.equals(expected)) throw new DigestMismatchException(expected, actual);
            verified = expected;
            verifiedSize = size;
        }

        @Override
        public long commit(Digest expected) throws IOException, DigestMismatchException {
            verify(expected);
            channel.force(false);
            channel.close();
            finished = true;
            hashStates.remove(uploadId);
            Path target = blobPath(expected);
            if (Files.exists(target)) {
                Files.deleteIfExists(path);
                return size;
            }
            Files.createDirectories(target.getParent(), ownerOnly(OWNER_DIRECTORY));
            try {
                Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(path);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("storage root must be one filesystem: cannot rename " + path + " to " + target, e);
            }
            fsyncDirectory(target.getParent());
            return size;
        }

        private Object sha256Clone() {
            try {
                return sha256.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("SHA-256 implementation cannot be cloned", e);
            }
        }

        @Override
        public void close() throws IOException {
            if (finished) return;
            finished = true;
            channel.close();
            hashStates.put(uploadId, new HashState(sha256, size));
        }
    }

    private record FileBlob(Path path, long size) implements BlobContent {
        @Override public Optional<Path> localFile() { return Optional.of(path); }

        @Override
        public InputStream openStream(long offset, long length) throws IOException {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            channel.position(offset);
            InputStream in = Channels.newInputStream(channel);
            return new InputStream() {
                long remaining = length;

                @Override public int read() throws IOException {
                    if (remaining <= 0) return -1;
                    int b = in.read();
                    if (b >= 0) remaining--;
                    return b;
                }

                @Override public int read(byte[] b, int off, int len) throws IOException {
                    if (remaining <= 0) return -1;
                    int n = in.read(b, off, (int) Math.min(len, remaining));
                    if (n > 0) remaining -= n;
                    return n;
                }

                @Override public void close() throws IOException { in.close(); }
            };
        }
    }
}
