package dev.peregrine.engine.memory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** What an alert may carry of a memory entry: its hash and a short excerpt with secrets masked. */
final class Evidence {

    /** The longest excerpt, in characters: far shorter than a memory entry worth flagging. */
    static final int MAX_EXCERPT = 80;
    private static final int CONTEXT = 20;

    private Evidence() {
    }

    /** The SHA-256 of the UTF-8 bytes of {@code content}, lower-case hex. */
    static String sha256(final String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The size of {@code content} in UTF-8 bytes, without encoding it. */
    static long utf8Length(final String content) {
        long bytes = 0;
        for (int i = 0; i < content.length(); i++) {
            final char c = content.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * The text around {@code finding}: a little context either side, at most {@value #MAX_EXCERPT}
     * characters, every secret among {@code findings} masked after its first four characters,
     * invisible characters shown as {@code <U+200B>}, line breaks as spaces.
     */
    static String excerpt(final String content, final Finding finding, final List<Finding> findings) {
        final int from = Math.max(0, finding.start() - CONTEXT);
        final int to = Math.min(content.length(), Math.min(finding.end() + CONTEXT, from + MAX_EXCERPT));
        final StringBuilder out = new StringBuilder();
        if (from > 0) {
            out.append("...");
        }
        int i = from;
        while (i < to) {
            final Finding secret = secretAt(findings, i);
            if (secret != null && i >= secret.start() + 4) {
                out.append("****");
                i = Math.max(i + 1, secret.end());
                continue;
            }
            final int cp = content.codePointAt(i);
            if (cp == '\n' || cp == '\r' || cp == '\t') {
                out.append(' ');
            } else if (isHidden(cp)) {
                out.append(String.format("<U+%04X>", cp));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (i < content.length()) {
            out.append("...");
        }
        return out.toString();
    }

    private static Finding secretAt(final List<Finding> findings, final int index) {
        for (final Finding f : findings) {
            if (f.kind() == FindingKind.SECRET && f.start() <= index && index < f.end()) {
                return f;
            }
        }
        return null;
    }

    private static boolean isHidden(final int cp) {
        final int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.CONTROL || type == Character.UNASSIGNED;
    }
}
