/** Real servers (Kafka KRaft broker, Elasticsearch) started from Maven Central artifacts for tests and demos. */
package dev.peregrine.testbed;
