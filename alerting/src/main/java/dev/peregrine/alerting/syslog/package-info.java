/** Alerts as CEF over syslog (RFC 5424 framing, UDP or TCP with RFC 6587 octet counting). */
package dev.peregrine.alerting.syslog;
