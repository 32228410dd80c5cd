package dev.peregrine.engine.reload;

import java.util.concurrent.CompletableFuture;

/**
 * A reload under way, seen from the caller: {@code compiled} completes once the rules were loaded
 * ({@link ReloadResult.Outcome#COMPILED}) or refused ({@link ReloadResult.Outcome#REJECTED});
 * {@code outcome} once they run ({@link ReloadResult.Outcome#APPLIED}), were refused, or were
 * overtaken by a newer reload ({@link ReloadResult.Outcome#SUPERSEDED}).
 *
 * @param compiled completes off the engine thread, as soon as loading ends
 * @param outcome  completes on the engine thread at the swap (the next event or time tick), or with {@code compiled} when refused
 */
public record Reload(CompletableFuture<ReloadResult> compiled, CompletableFuture<ReloadResult> outcome) {
}
