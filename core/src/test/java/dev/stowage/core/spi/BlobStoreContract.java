package dev.stowage.core.spi;

import dev.stowage.core.Digest;
import dev.stowage.core.RegistryException;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The behaviour every BlobStore must have. Subclasses supply a fresh, empty store. */
public abstract class BlobStoreContract {

    protected abstract BlobStore store() throws Exception;

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] readAll(BlobContent content, long offset, long length) throws Exception {
        try (InputStream in = content.openStream(offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void committedUploadIsReadableUnderItsDigest() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(100_000);
        Digest digest = Digest.sha256Of(data);
        String id = UUID.randomUUID().toString();
        try (UploadSink sink = store.createUpload(id)) {
            sink.write(ByteBuffer.wrap(data));
            assertThat(sink.commit(digest)).isEqualTo(data.length);
        }
        BlobContent content = store.open(digest).orElseThrow();
        assertThat(content.size()).isEqualTo(data.length);
        assertThat(readAll(content, 0, data.length)).isEqualTo(data);
        assertThat(store.exists(digest)).isTrue();
    }

    @Test
    void uploadNotCommittedIsInvisible() throws Exception {
        BlobStore store = store();
        byte[] data = "partial".getBytes(StandardCharsets.UTF_8);
        try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            sink.write(ByteBuffer.wrap(data));
        }
        assertThat(store.exists(Digest.sha256Of(data))).isFalse();
        assertThat(store.open(Digest.sha256Of(data))).isEmpty();
    }

    @Test
    void commitWithWrongDigestPublishesNothing() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(1000);
        Digest wrong = Digest.sha256Of("other".getBytes(StandardCharsets.UTF_8));
        try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            sink.write(ByteBuffer.wrap(data));
            assertThatThrownBy(() -> sink.commit(wrong)).isInstanceOf(UploadSink.DigestMismatchException.class);
        }
        assertThat(store.exists(wrong)).isFalse();
    }

    @Test
    void verifyChecksTheBytesWithoutPublishingAndLaterBytesAreVerifiedAgain() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(1000);
        Digest first = Digest.sha256Of(java.util.Arrays.copyOf(data, 600));
        Digest whole = Digest.sha256Of(data);
        try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            sink.write(ByteBuffer.wrap(data, 0, 600));
            assertThatThrownBy(() -> sink.verify(whole)).isInstanceOf(UploadSink.DigestMismatchException.class);
            sink.verify(first);
            assertThat(store.exists(first)).as("verify publishes nothing").isFalse();
            sink.write(ByteBuffer.wrap(data, 600, 400));
            assertThatThrownBy(() -> sink.commit(first)).as("bytes written after a verify count")
                    .isInstanceOf(UploadSink.DigestMismatchException.class);
            sink.verify(whole);
            assertThat(sink.commit(whole)).isEqualTo(1000);
        }
        assertThat(store.exists(whole)).isTrue();
    }

    @Test
    void resumedUploadContinuesTheHashAcrossSinks() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(300_000);
        String id = UUID.randomUUID().toString();
        try (UploadSink sink = store.createUpload(id)) {
            sink.write(ByteBuffer.wrap(data, 0, 100_000));
        }
        try (UploadSink sink = store.resumeUpload(id, 100_000)) {
            sink.write(ByteBuffer.wrap(data, 100_000, 200_000));
            assertThat(sink.commit(Digest.sha256Of(data))).isEqualTo(data.length);
        }
        assertThat(readAll(store.open(Digest.sha256Of(data)).orElseThrow(), 0, data.length)).isEqualTo(data);
    }

    @Test
    void resumeAtAnEarlierOffsetDropsUnacknowledgedBytes() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(5000);
        String id = UUID.randomUUID().toString();
        try (UploadSink sink = store.createUpload(id)) {
            sink.write(ByteBuffer.wrap(data, 0, 3000));
        }
        try (UploadSink sink = store.resumeUpload(id, 2000)) {
            assertThat(sink.size()).isEqualTo(2000);
            sink.write(ByteBuffer.wrap(data, 2000, 3000));
            sink.commit(Digest.sha256Of(data));
        }
        assertThat(readAll(store.open(Digest.sha256Of(data)).orElseThrow(), 0, data.length)).isEqualTo(data);
    }

    @Test
    void rangeReadReturnsExactlyTheSlice() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(10_000);
        try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            sink.write(ByteBuffer.wrap(data));
            sink.commit(Digest.sha256Of(data));
        }
        byte[] slice = readAll(store.open(Digest.sha256Of(data)).orElseThrow(), 100, 50);
        assertThat(slice).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 150));
    }

    @Test
    void committingTheSameContentTwiceKeepsOneBlob() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(2000);
        for (int i = 0; i < 2; i++) {
            try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
                sink.write(ByteBuffer.wrap(data));
                sink.commit(Digest.sha256Of(data));
            }
        }
        assertThat(store.open(Digest.sha256Of(data)).orElseThrow().size()).isEqualTo(2000);
        assertThat(store.listUploads()).isEmpty();
    }

    @Test
    void deletedUploadAndBlobAreGone() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(10);
        String id = UUID.randomUUID().toString();
        store.createUpload(id).close();
        assertThat(store.listUploads()).containsExactly(id);
        store.deleteUpload(id);
        assertThat(store.listUploads()).isEmpty();
        try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            sink.write(ByteBuffer.wrap(data));
            sink.commit(Digest.sha256Of(data));
        }
        assertThat(store.delete(Digest.sha256Of(data))).isTrue();
        assertThat(store.exists(Digest.sha256Of(data))).isFalse();
    }

    @Test
    void sha512DigestsAreVerifiedToo() throws Exception {
        BlobStore store = store();
        byte[] data = randomBytes(4096);
        Digest sha512 = Digest.of(Digest.SHA512, Digest.newMessageDigest(Digest.SHA512).digest(data));
        try (UploadSink sink = store.createUpload(UUID.randomUUID().toString())) {
            sink.write(ByteBuffer.wrap(data));
            sink.commit(sha512);
        }
        assertThat(store.exists(sha512)).isTrue();
    }

    @Test
    void uploadIdsThatAreNotUuidsAreRefused() throws Exception {
        BlobStore store = store();
        assertThatThrownBy(() -> store.resumeUpload("../../etc/passwd", 0)).isInstanceOf(RegistryException.class);
    }
}
