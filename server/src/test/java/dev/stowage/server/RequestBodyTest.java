package dev.stowage.server;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies waiting for their consumers share one mark: past it every connection that gets more pauses reading,
 * however little it holds itself, so many uploads at once cannot take all the direct memory another client's next
 * read needs; and what a discarded body held is given back to the others.
 */
class RequestBodyTest {

    @Test
    void bodiesTogetherPauseReadingPastTheSharedMarkAndGiveItBackWhenDiscarded() {
        int bodies = (int) (RequestBody.ALL_BODIES_HIGH_WATER / RequestBody.HIGH_WATER) + 4;
        List<RequestBody> held = new ArrayList<>();
        List<AtomicBoolean> paused = new ArrayList<>();
        for (int i = 0; i < bodies; i++) {
            AtomicBoolean pause = new AtomicBoolean();
            RequestBody body = new RequestBody(-1, pause::set);
            // exactly its own mark: on its own it would read on
            body.offer(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[(int) RequestBody.HIGH_WATER])));
            held.add(body);
            paused.add(pause);
        }
        long pausedCount = paused.stream().filter(AtomicBoolean::get).count();
        assertThat(paused.getFirst().get()).isFalse();
        assertThat(pausedCount).as("bodies paused once all of them held more than the shared mark").isEqualTo(4);

        held.forEach(RequestBody::discard);
        AtomicBoolean fresh = new AtomicBoolean();
        new RequestBody(-1, fresh::set).offer(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1024])));
        assertThat(fresh.get()).as("the discarded bodies gave their share back").isFalse();
    }
}
