package dev.stowage.scanning.inventory;

import java.util.ArrayDeque;
import java.util.Deque;

/** Paths inside an image: tar entry names made absolute and canonical, lexically (nothing touches a disk). */
final class ImagePaths {
    private ImagePaths() {
    }

    /** A tar entry name that cannot be placed in the image, and why. */
    static final class OutsideImageException extends Exception {
        OutsideImageException(String message) {
            super(message);
        }
    }

    /**
     * The entry's absolute, canonical path ({@code ./usr//lib/} gives {@code /usr/lib}). An absolute name, or one whose
     * {@code ..} climbs above the root, is refused: image builders write relative names, and a tar extracted elsewhere
     * with such a name would write outside its root, so it is a crafted layer, not a file of the image.
     */
    static String entryPath(String name) throws OutsideImageException {
        if (name.startsWith("/")) {
            throw new OutsideImageException("absolute path in a layer tar: " + printable(name));
        }
        if (name.indexOf('\0') >= 0) {
            throw new OutsideImageException("NUL character in a tar path: " + printable(name));
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new OutsideImageException("path climbs above the image root: " + printable(name));
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /**
     * Resolves a link target against the directory holding the link, the way the kernel does inside a chroot: an
     * absolute target starts at the image root, and {@code ..} at the root stays there.
     */
    static String resolveAgainst(String directory, String target) {
        String joined = target.startsWith("/") ? target : directory + "/" + target;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String directory, String name) {
        return directory.equals("/") ? "/" + name : directory + "/" + name;
    }

    /** A name as it may be shown in a report: bounded, control characters escaped. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < 200; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return name.length() > 200 ? out + "..." : out.toString();
    }
}
