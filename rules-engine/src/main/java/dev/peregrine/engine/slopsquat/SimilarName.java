package dev.peregrine.engine.slopsquat;

/**
 * A popular package that a name imitates.
 *
 * @param target    the popular package
 * @param distance  edit distance between the two names (Damerau-Levenshtein, adjacent transpositions count one)
 * @param technique how the name imitates it: {@code edit distance}, {@code separator},
 *                  {@code affix}, {@code homoglyph} or {@code word order}
 */
public record SimilarName(PopularPackage target, int distance, String technique) {
}
