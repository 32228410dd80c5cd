package dev.peregrine.engine.condition;

import java.util.ArrayList;
import java.util.List;

/**
 * The right-hand side of Falco's network fields ({@code fd.net = "127.0.0.0/8"},
 * {@code fd.snet in (rfc_1918_addresses)}): CIDR blocks (or single addresses), IPv4 and IPv6,
 * parsed from literals only — a name is never looked up.
 */
final class Networks {

    private Networks() {
    }

    /** One block: the address bytes and how many leading bits must match. */
    record Block(byte[] address, int prefix) {
        boolean contains(final byte[] ip) {
            if (ip == null || ip.length != address.length) {
                return false;
            }
            final int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (ip[i] != address[i]) {
                    return false;
                }
            }
            final int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            final int mask = 0xFF << (8 - rest) & 0xFF;
            return (ip[full] & mask) == (address[full] & mask);
        }
    }

    /** {@code 10.0.0.0/8}, {@code fd00::/8} or a single address; {@code null} when it is neither. */
    static Block block(final String text) {
        final int slash = text.indexOf('/');
        final byte[] address = address(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            return null;
        }
        int prefix = address.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (final NumberFormatException e) {
                return null;
            }
            if (prefix < 0 || prefix > address.length * 8) {
                return null;
            }
        }
        return new Block(address, prefix);
    }

    /**
     * The bytes of a literal IPv4 or IPv6 address, or {@code null}. Called for every event a
     * network comparison reads (an event's {@code fd.sip}, {@code fd.cip}), so it scans the text
     * by hand: no regular expression is compiled per call.
     */
    static byte[] address(final String text) {
        if (text.indexOf(':') >= 0) {
            return ipv6(text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text);
        }
        final byte[] bytes = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            final char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part == 4 || value > 255) {
                    return null;
                }
                bytes[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            } else {
                return null;
            }
        }
        return part == 4 ? bytes : null;
    }

    private static byte[] ipv6(final String text) {
        if (text.isEmpty() || text.indexOf(":::") >= 0) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0 && text.charAt(i) != ':') {
                return null;
            }
        }
        final int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        final List<String> head = groups(gap < 0 ? text : text.substring(0, gap));
        final List<String> tail = gap < 0 ? List.of() : groups(text.substring(gap + 2));
        if (head == null || tail == null) {
            return null;
        }
        final int zeros = 8 - head.size() - tail.size();
        if (gap < 0 ? zeros != 0 : zeros < 1) {
            return null;
        }
        final List<String> all = new ArrayList<>(head);
        for (int i = 0; i < zeros; i++) {
            all.add("0");
        }
        all.addAll(tail);
        final byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            final int group = Integer.parseInt(all.get(i), 16);
            bytes[2 * i] = (byte) (group >> 8);
            bytes[2 * i + 1] = (byte) group;
        }
        return bytes;
    }

    private static List<String> groups(final String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        final List<String> groups = List.of(text.split(":", -1));
        for (final String group : groups) {
            if (group.isEmpty() || group.length() > 4) {
                return null;
            }
        }
        return groups;
    }
}
