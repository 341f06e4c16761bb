package dev.stowage.scanning.inventory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the image's final filesystem holds of interest, built layer by layer: the files that declared packages (or could
 * not be read), the small files kept for their content ({@code os-release}) and every symbolic link (to resolve paths
 * the way the running container would). Nothing else is remembered, so memory grows with packages and links, not with
 * files. A layer's changes are staged and applied only when the layer has been read to its end, so an unreadable layer
 * leaves the filesystem as the layers below it made it.
 */
final class FinalFilesystem {
    /** What the filesystem remembers at one path. */
    record Node(String layer, String linkTarget, List<FoundPackage> packages, List<SkippedPart> skipped, byte[] content) {
        boolean isSymlink() {
            return linkTarget != null;
        }
    }

    /** The result of resolving a path through the image's symbolic links. */
    record Resolution(String path, String problem, String problemLayer) {
    }

    // Keys sort so that a directory's descendants follow it contiguously: "/a" < "/a/..." < "/a0" ('0' follows '/').
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final List<SkippedPart> problems = new ArrayList<>();
    private static final int MAX_LISTED_PROBLEMS = 100;

    Changes begin(String layer) {
        return new Changes(layer);
    }

    /** The changes one layer makes; {@link #apply()} makes them, in the order the OCI layer specification gives. */
    final class Changes {
        private final String layer;
        private final List<String> removeTrees = new ArrayList<>();
        private final List<String> removeChildren = new ArrayList<>();
        private final TreeMap<String, Node> added = new TreeMap<>();
        private final List<SkippedPart> entryProblems = new ArrayList<>();
        private long problemsNotListed;

        private Changes(String layer) {
            this.layer = layer;
        }

        /** An entry of the layer that is not part of the image (a path outside it); the first hundred are listed. */
        void skip(SkippedPart problem) {
            if (entryProblems.size() < MAX_LISTED_PROBLEMS) {
                entryProblems.add(problem);
            } else {
                problemsNotListed++;
            }
        }

        /** A whiteout ({@code .wh.name}): the path and everything under it, as lower layers made it, is gone. */
        void whiteout(String path) {
            removeTree(path);
        }

        /** An opaque directory ({@code .wh..wh..opq}): what lower layers put under it is gone; it stays. */
        void opaque(String directory) {
            String prefix = directory.equals("/") ? "/" : directory + "/";
            if (hasUnder(prefix)) {
                removeChildren.add(directory);
            }
        }

        /** A directory entry merges with a lower directory, but replaces a lower file or link of that name. */
        void directory(String path) {
            added.remove(path);
            Node lower = nodes.get(path);
            if (lower != null) {
                removeTrees.add(path);
            }
        }

        /** Any other entry replaces what lower layers had at the path, a whole directory included. */
        void replace(String path) {
            added.remove(path);
            String prefix = path + "/";
            added.subMap(prefix, true, path + "0", false).clear();
            removeTree(path);
        }

        void symlink(String path, String target) {
            replace(path);
            added.put(path, new Node(layer, target, List.of(), List.of(), null));
        }

        void file(String path, List<FoundPackage> packages, List<SkippedPart> skipped, byte[] content) {
            replace(path);
            if (!packages.isEmpty() || !skipped.isEmpty() || content != null) {
                added.put(path, new Node(layer, null, List.copyOf(packages), List.copyOf(skipped), content));
            }
        }

        /**
         * A hard link to a file earlier in this layer is that file under another name: what it declared is declared
         * again at the link's path.
         */
        void hardLink(String path, String target) {
            Node source = added.get(target);
            replace(path);
            if (source != null && !source.isSymlink()) {
                List<FoundPackage> packages = source.packages().stream()
                        .map(p -> new FoundPackage(p.type(), p.name(), p.version(), p.sourceName(), p.sourceVersion(),
                                p.purl(), p.layer(), path + p.path().substring(Math.min(target.length(), p.path().length()))))
                        .toList();
                added.put(path, new Node(layer, null, packages, source.skipped(), source.content()));
            }
        }

        private void removeTree(String path) {
            if (nodes.containsKey(path) || hasUnder(path + "/")) {
                removeTrees.add(path);
            }
        }

        private boolean hasUnder(String prefix) {
            String next = nodes.ceilingKey(prefix);
            return next != null && next.startsWith(prefix);
        }

        void apply() {
            for (String directory : removeChildren) {
                if (directory.equals("/")) {
                    nodes.clear();
                } else {
                    nodes.subMap(directory + "/", true, directory + "0", false).clear();
                }
            }
            for (String path : removeTrees) {
                nodes.remove(path);
                nodes.subMap(path + "/", true, path + "0", false).clear();
            }
            nodes.putAll(added);
            problems.addAll(entryProblems);
            if (problemsNotListed > 0) {
                problems.add(new SkippedPart(layer, ImageInventory.WHOLE_LAYER, problemsNotListed
                        + " more entries skipped for the same kinds of reasons"));
            }
        }
    }

    /** Entries of the layers read that could not be placed in the image. */
    List<SkippedPart> problems() {
        return problems;
    }

    Map<String, Node> nodes() {
        return nodes;
    }

    Node node(String path) {
        return nodes.get(path);
    }

    /**
     * Resolves every symbolic link on the path, as the kernel would in the container: at most {@code maxHops} links;
     * a loop is reported, not followed.
     */
    Resolution resolve(String path, int maxHops) {
        Deque<String> pending = new ArrayDeque<>(Arrays.asList(path.substring(1).split("/")));
        String resolved = "/";
        int hops = 0;
        Set<String> followed = new HashSet<>();
        boolean repeated = false;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                resolved = ImagePaths.parent(resolved);
                continue;
            }
            String candidate = ImagePaths.child(resolved, part);
            Node node = nodes.get(candidate);
            if (node == null || !node.isSymlink()) {
                resolved = candidate;
                continue;
            }
            repeated |= !followed.add(candidate);
            if (++hops > maxHops) {
                String problem = repeated
                        ? "symbolic link loop at " + path + " (through " + candidate + "); not followed"
                        : "more than " + maxHops + " symbolic links to resolve " + path;
                return new Resolution(null, problem, node.layer());
            }
            String target = node.linkTarget();
            List<String> targetParts = Arrays.asList(target.split("/"));
            for (int k = targetParts.size() - 1; k >= 0; k--) {
                pending.addFirst(targetParts.get(k));
            }
            if (target.startsWith("/")) {
                resolved = "/";
            }
        }
        return new Resolution(resolved, null, null);
    }
}
