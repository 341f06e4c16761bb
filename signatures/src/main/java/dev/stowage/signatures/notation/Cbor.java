package dev.stowage.signatures.notation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of CBOR (RFC 8949) a COSE_Sign1 envelope uses, read strictly and within bounds: integers, byte and text
 * strings, arrays, maps keyed by integers or text, tags, false/true/null and floats; definite lengths only (notation
 * writes nothing else); nesting at most {@link #MAX_DEPTH}; a length larger than the bytes left is malformed before
 * anything is allocated; duplicate map keys are refused. Decoded values are plain Java: {@code Long}, {@code byte[]},
 * {@code String}, {@code List}, {@code Map} (insertion-ordered), {@link Tagged}, {@code Boolean}, {@code Double}, and
 * {@link #NULL}.
 *
 * <p>Written here rather than taken from jackson-dataformat-cbor: COSE needs tags (18 for COSE_Sign1, 1 for times) on
 * every item and must tell the integer label 1 from the text label "1", which Jackson's tree model folds together.
 */
final class Cbor {
    static final int MAX_DEPTH = 16;
    static final Object NULL = new Object() {
        @Override
        public String toString() { return "null"; }
    };

    record Tagged(long tag, Object item) {}

    static final class Malformed extends Exception {
        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    private final byte[] bytes;
    private int position;

    private Cbor(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Decodes exactly one item filling {@code bytes}. */
    static Object decode(byte[] bytes) throws Malformed {
        Cbor reader = new Cbor(bytes);
        Object item = reader.item(0);
        if (reader.position != bytes.length) throw new Malformed((bytes.length - reader.position) + " bytes after the item");
        return item;
    }

    private Object item(int depth) throws Malformed {
        if (depth > MAX_DEPTH) throw new Malformed("nested deeper than " + MAX_DEPTH);
        int initial = next();
        int major = initial >>> 5;
        int info = initial & 0x1f;
        if (major == 7) return simple(info);
        long argument = argument(info);
        return switch (major) {
            case 0 -> nonNegative(argument);
            case 1 -> {
                if (argument < 0) throw new Malformed("an integer is out of range");
                yield -1 - argument;
            }
            case 2 -> take(argument);
            case 3 -> text(take(argument));
            case 4 -> {
                int count = count(argument);
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) items.add(item(depth + 1));
                yield items;
            }
            case 5 -> {
                int count = count(argument);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < count; i++) {
                    Object key = item(depth + 1);
                    if (!(key instanceof Long) && !(key instanceof String)) {
                        throw new Malformed("a map key is neither an integer nor text");
                    }
                    if (map.put(key, item(depth + 1)) != null) throw new Malformed("duplicate map key " + key);
                }
                yield map;
            }
            case 6 -> new Tagged(nonNegative(argument), item(depth + 1));
            default -> throw new Malformed("unknown major type " + major);
        };
    }

    private Object simple(int info) throws Malformed {
        return switch (info) {
            case 20 -> Boolean.FALSE;
            case 21 -> Boolean.TRUE;
            case 22 -> NULL;
            case 25 -> halfFloat((int) fixed(2));
            case 26 -> (double) Float.intBitsToFloat((int) fixed(4));
            case 27 -> Double.longBitsToDouble(fixed(8));
            case 31 -> throw new Malformed("indefinite lengths are not supported");
            default -> throw new Malformed("unsupported simple value " + info);
        };
    }

    private long argument(int info) throws Malformed {
        if (info < 24) return info;
        return switch (info) {
            case 24 -> fixed(1);
            case 25 -> fixed(2);
            case 26 -> fixed(4);
            case 27 -> fixed(8);
            case 31 -> throw new Malformed("indefinite lengths are not supported");
            default -> throw new Malformed("reserved additional information " + info);
        };
    }

    private long fixed(int size) throws Malformed {
        if (bytes.length - position < size) throw new Malformed("unexpected end");
        long value = 0;
        for (int i = 0; i < size; i++) value = (value << 8) | (bytes[position++] & 0xff);
        return value;
    }

    private int next() throws Malformed {
        if (position >= bytes.length) throw new Malformed("unexpected end");
        return bytes[position++] & 0xff;
    }

    /** Every array element or map entry takes at least one byte, so a count beyond the bytes left is a lie. */
    private int count(long argument) throws Malformed {
        if (argument < 0 || argument > bytes.length - position) throw new Malformed("a length exceeds the input");
        return (int) argument;
    }

    private byte[] take(long length) throws Malformed {
        if (length < 0 || length > bytes.length - position) throw new Malformed("a string is longer than the input");
        byte[] taken = java.util.Arrays.copyOfRange(bytes, position, position + (int) length);
        position += (int) length;
        return taken;
    }

    private static long nonNegative(long argument) throws Malformed {
        if (argument < 0) throw new Malformed("an integer is out of range");
        return argument;
    }

    private static String text(byte[] utf8) throws Malformed {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("a text string is not UTF-8");
        }
    }

    private static double halfFloat(int half) {
        int exponent = (half >> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        double value = exponent == 0 ? mantissa * Math.pow(2, -24)
                : exponent == 31 ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : (mantissa + 1024) * Math.pow(2, exponent - 25);
        return (half & 0x8000) != 0 ? -value : value;
    }

    /** A small CBOR writer: enough for the COSE Sig_structure and for building envelopes. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer head(int major, long argument) {
            int type = major << 5;
            if (argument < 24) out.write(type | (int) argument);
            else if (argument < 0x100) write(type | 24, argument, 1);
            else if (argument < 0x10000) write(type | 25, argument, 2);
            else if (argument < 0x100000000L) write(type | 26, argument, 4);
            else write(type | 27, argument, 8);
            return this;
        }

        Writer integer(long value) {
            return value >= 0 ? head(0, value) : head(1, -1 - value);
        }

        Writer bytes(byte[] value) {
            head(2, value.length);
            out.writeBytes(value);
            return this;
        }

        Writer text(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            head(3, utf8.length);
            out.writeBytes(utf8);
            return this;
        }

        Writer array(int size) { return head(4, size); }

        Writer map(int size) { return head(5, size); }

        Writer tag(long tag) { return head(6, tag); }

        /** Writes a value of the decoded model back: Long, byte[], String, List, Map, Tagged. */
        Writer value(Object value) {
            switch (value) {
                case Long l -> integer(l);
                case Integer i -> integer(i);
                case byte[] b -> bytes(b);
                case String s -> text(s);
                case List<?> list -> {
                    array(list.size());
                    list.forEach(this::value);
                }
                case Map<?, ?> map -> {
                    map(map.size());
                    map.forEach((k, v) -> value(k).value(v));
                }
                case Tagged t -> tag(t.tag()).value(t.item());
                default -> throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName());
            }
            return this;
        }

        byte[] toByteArray() { return out.toByteArray(); }

        private void write(int initial, long argument, int size) {
            out.write(initial);
            for (int i = size - 1; i >= 0; i--) out.write((int) (argument >>> (8 * i)) & 0xff);
        }
    }
}
