package dev.peregrine.engine.rules;

import dev.peregrine.alerting.Priority;
import dev.peregrine.engine.condition.EventPredicate;
import dev.peregrine.engine.condition.EventTypes;
import java.util.List;

/**
 * A {@code - rule:} item after loading, compiled and ready to evaluate.
 *
 * @param id          stable id: the {@code id} key, or the slug of the name
 * @param name        the rule's name ({@code rule:})
 * @param description {@code desc}, or empty
 * @param condition   the condition text
 * @param predicate   the compiled condition
 * @param eventTypes  the {@code evt.type} values the condition can match
 * @param output      the compiled output template
 * @param priority    Falco priority
 * @param tags        tags, in file order
 * @param enabled     whether the rule is evaluated
 * @param source      the event source it applies to ({@code syscall} by default)
 * @param file        the file it was defined in
 * @param line        the line its item starts at
 */
public record RuleDef(String id, String name, String description, String condition, EventPredicate predicate,
                      EventTypes eventTypes, OutputTemplate output, Priority priority, List<String> tags,
                      boolean enabled, String source, String file, int line) {
    public RuleDef {
        tags = List.copyOf(tags);
    }
}
