package dev.peregrine.collector.ingest;

/**
 * Told of every event refused for claiming an identity outside its token's binding. Called on
 * an HTTP worker thread: must be quick and thread-safe, and must not throw.
 */
@FunctionalInterface
public interface IdentityViolationListener {

    /** One refused event. */
    void onViolation(IdentityViolation violation);
}
