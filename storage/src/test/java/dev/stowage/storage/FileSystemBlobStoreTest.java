package dev.stowage.storage;

import dev.stowage.core.Digest;
import dev.stowage.core.spi.BlobStore;
import dev.stowage.core.spi.BlobStoreContract;
import dev.stowage.core.spi.UploadSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class FileSystemBlobStoreTest extends BlobStoreContract {
    @TempDir Path root;

    @Override
    protected BlobStore store() throws Exception {
        return new FileSystemBlobStore(root);
    }

    @Test
    void blobsLiveUnderAlgorithmAndTwoHexPrefix() throws Exception {
        FileSystemBlobStore store = new FileSystemBlobStore(root);
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256Of(data);
        try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            sink.write(ByteBuffer.wrap(data));
            sink.commit(digest);
        }
        Path expected = root.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        assertThat(Files.readAllBytes(expected)).isEqualTo(data);
    }

    @Test
    void blobsUploadsAndTheirDirectoriesAreForTheOwnerOnly() throws Exception {
        Path data = root.resolve("data");
        FileSystemBlobStore store = new FileSystemBlobStore(data);
        byte[] bytes = "private layer".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256Of(bytes);
        String uploading = UUID.randomUUID().toString();
        try (UploadSink open = store.createUpload(uploading); UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            open.write(ByteBuffer.wrap(bytes));
            sink.write(ByteBuffer.wrap(bytes));
            sink.commit(digest);
            try (var paths = Files.walk(data)) {
                assertThat(paths.toList()).allSatisfy(p -> assertThat(
                        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------"))
                        .anyMatch(p -> p.endsWith(digest.hex())).anyMatch(p -> p.endsWith(uploading));
            }
        }
    }

    @Test
    void aNewStoreInstanceResumesAnUploadByRehashingItsFile() throws Exception {
        byte[] data = "0123456789abcdef".repeat(1000).getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        try (UploadSink sink = new FileSystemBlobStore(root).createUpload(id)) {
            sink.write(ByteBuffer.wrap(data, 0, 7000));
        }
        FileSystemBlobStore restarted = new FileSystemBlobStore(root);
        try (UploadSink sink = restarted.resumeUpload(id, 7000)) {
            sink.write(ByteBuffer.wrap(data, 7000, data.length - 7000));
            sink.commit(Digest.sha256Of(data));
        }
        assertThat(restarted.exists(Digest.sha256Of(data))).isTrue();
    }
}
