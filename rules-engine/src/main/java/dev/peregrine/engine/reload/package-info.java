/**
 * Rule hot-reload: {@link dev.peregrine.engine.reload.ReloadableEngine} loads and compiles a new
 * rule set off the engine thread and swaps it in between two events; a broken rule set is
 * rejected with its errors and the old rules keep running. Built-in detectors and the CEP state
 * of cep items the reload leaves unchanged carry over.
 */
package dev.peregrine.engine.reload;
