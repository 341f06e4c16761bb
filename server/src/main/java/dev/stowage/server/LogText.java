package dev.stowage.server;

/**
 * Client-controlled text made safe for one log line: everything outside printable ASCII (CR, LF, ESC and the
 * other control characters, DEL, C1 controls such as CSI, any non-ASCII) becomes {@code \xHH} or {@code \\uHHHH},
 * quotes and backslashes are escaped, and the text is cut to a length, so a request can neither forge log lines
 * or fields nor send escape sequences to an operator's terminal.
 */
final class LogText {
    private LogText() {}

    static String escape(String text, int maxLength) {
        if (text == null) return "-";
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxLength) + 8);
        for (int i = 0; i < text.length(); i++) {
            if (out.length() >= maxLength) {
                out.append("...");
                break;
            }
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else if (c <= 0xff) {
                out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
