package dev.peregrine.alerting.syslog;

/** How syslog messages travel. */
public enum SyslogTransport {
    /** RFC 5426: one message per datagram, no delivery guarantee. */
    UDP,
    /** RFC 6587 octet counting: {@code MSG-LEN SP SYSLOG-MSG} on one long-lived connection. */
    TCP
}
