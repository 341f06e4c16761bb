package dev.stowage.webhooks;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The start of a receiver's answer, for the delivery log, and no more: a receiver cannot make the dispatcher buffer
 * a large (or endless) body. Once {@code limit} bytes are in, the rest is refused, which closes the connection.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<String> {
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    private BoundedBody(int limit) {
        this.limit = limit;
    }

    static HttpResponse.BodyHandler<String> handler(int limit) {
        return info -> new BoundedBody(limit);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer b : buffers) {
            int n = Math.min(b.remaining(), limit - kept.size());
            byte[] chunk = new byte[n];
            b.get(chunk);
            kept.write(chunk, 0, n);
        }
        if (kept.size() >= limit) {
            subscription.cancel();
            finish();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        finish(); // the status line arrived; a broken body does not change what it said
    }

    @Override
    public void onComplete() {
        finish();
    }

    private void finish() {
        result.complete(kept.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim());
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }
}
