/** Analyst suppressions: alerts of a rule and key that an analyst silenced until an expiry, dropped and counted. */
package dev.peregrine.alerting.suppress;
