package dev.peregrine.alerting.syslog;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link SyslogCefSink} sends.
 *
 * @param host           receiver host
 * @param port           receiver port (514 for UDP, 514 or 6514-without-TLS setups for TCP)
 * @param transport      UDP or TCP
 * @param facility       syslog facility 0–23 (default 16, local0)
 * @param hostname       RFC 5424 HOSTNAME of the sender (Peregrine's host); empty writes {@code -}
 * @param appName        RFC 5424 APP-NAME, default {@code peregrine}
 * @param procId         RFC 5424 PROCID; empty writes {@code -}
 * @param connectTimeout TCP connect timeout
 * @param deviceVersion  Peregrine's version, for the CEF header
 */
public record SyslogConfig(String host, int port, SyslogTransport transport, int facility, String hostname,
                           String appName, String procId, Duration connectTimeout, String deviceVersion) {

    /** local0: the facility sites usually set aside for a security tool's events. */
    public static final int DEFAULT_FACILITY = 16;

    public SyslogConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (facility < 0 || facility > 23) {
            throw new IllegalArgumentException("syslog facility must be 0-23: " + facility);
        }
        hostname = hostname == null ? "" : hostname;
        appName = appName == null || appName.isEmpty() ? "peregrine" : appName;
        procId = procId == null ? "" : procId;
        deviceVersion = deviceVersion == null || deviceVersion.isEmpty() ? "unknown" : deviceVersion;
    }

    /** Facility local0, this JVM's pid, a 5 s connect timeout, no sender hostname. */
    public static SyslogConfig of(final String host, final int port, final SyslogTransport transport,
                                  final String deviceVersion) {
        return new SyslogConfig(host, port, transport, DEFAULT_FACILITY, "", "peregrine",
                Long.toString(ProcessHandle.current().pid()), Duration.ofSeconds(5), deviceVersion);
    }

    /** A copy with another facility. */
    public SyslogConfig withFacility(final int newFacility) {
        return new SyslogConfig(host, port, transport, newFacility, hostname, appName, procId, connectTimeout,
                deviceVersion);
    }

    /** A copy with another sender hostname. */
    public SyslogConfig withHostname(final String newHostname) {
        return new SyslogConfig(host, port, transport, facility, newHostname, appName, procId, connectTimeout,
                deviceVersion);
    }
}
