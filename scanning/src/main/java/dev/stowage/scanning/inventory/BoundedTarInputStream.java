package dev.stowage.scanning.inventory;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;

/**
 * commons-compress's tar reader with a bound on the meta entries it holds in memory: a PAX header or a GNU long name is
 * read whole into the heap, so a layer declaring a gigabyte-long name would otherwise exhaust it.
 */
final class BoundedTarInputStream extends TarArchiveInputStream {
    private final int maxHeaderBytes;

    BoundedTarInputStream(InputStream in, int maxHeaderBytes) {
        super(in);
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public int read(byte[] buf, int offset, int numToRead) throws IOException {
        TarArchiveEntry entry = getCurrentEntry();
        if (entry != null && entry.getSize() > maxHeaderBytes && (entry.isPaxHeader() || entry.isGlobalPaxHeader()
                || entry.isGNULongNameEntry() || entry.isGNULongLinkEntry())) {
            throw new LayerStreams.UnreadableLayerException("tar meta entry (PAX header or long name) of "
                    + entry.getSize() + " bytes, over the " + maxHeaderBytes + "-byte limit");
        }
        return super.read(buf, offset, numToRead);
    }
}
