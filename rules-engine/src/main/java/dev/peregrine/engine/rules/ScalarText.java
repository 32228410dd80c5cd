package dev.peregrine.engine.rules;

import org.yaml.snakeyaml.nodes.ScalarNode;

/** A YAML scalar's value and where each of its characters sits in the file, computed on first need. */
final class ScalarText {

    private final YamlText file;
    private final ScalarNode node;
    private int[] offsets;

    ScalarText(final YamlText file, final ScalarNode node) {
        this.file = file;
        this.node = node;
    }

    String value() {
        return node.getValue();
    }

    YamlText file() {
        return file;
    }

    ScalarNode node() {
        return node;
    }

    /** Where the value's character {@code index} was written (the end of the value for {@code index == length}). */
    YamlText.Position positionOf(final int index) {
        if (offsets == null) {
            offsets = file.align(node);
        }
        return file.positionOfOffset(offsets[Math.max(0, Math.min(index, offsets.length - 1))]);
    }
}
