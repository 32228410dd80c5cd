package dev.peregrine.engine.condition;

import java.util.List;
import java.util.Optional;

/**
 * The macros and lists a condition can see. The loader implements this so that only items
 * defined before the condition (in load order, as in Falco) are visible.
 */
public interface ConditionScope {

    /** The macro called {@code name}, or empty when no macro has that name at all. */
    Optional<MacroLookup> macro(String name);

    /** The items of the list called {@code name}, nested lists already flattened, or empty when none is visible. */
    Optional<List<String>> list(String name);

    /** A scope with no macros and no lists. */
    static ConditionScope empty() {
        return new ConditionScope() {
            @Override
            public Optional<MacroLookup> macro(final String name) {
                return Optional.empty();
            }

            @Override
            public Optional<List<String>> list(final String name) {
                return Optional.empty();
            }
        };
    }

    /**
     * What a macro name resolved to.
     *
     * @param predicate the macro's compiled condition; {@code null} when it cannot be used
     * @param problem   why it cannot be used, to report at the reference; {@code null} when the
     *                  macro is broken for a reason already reported at its definition
     */
    record MacroLookup(EventPredicate predicate, String problem) {

        /** A usable macro. */
        public static MacroLookup of(final EventPredicate predicate) {
            return new MacroLookup(predicate, null);
        }

        /** A macro whose own errors were reported already; referencing it adds no new error. */
        public static MacroLookup broken() {
            return new MacroLookup(null, null);
        }

        /** A macro that cannot be referenced from here, for {@code problem}. */
        public static MacroLookup unusable(final String problem) {
            return new MacroLookup(null, problem);
        }
    }
}
