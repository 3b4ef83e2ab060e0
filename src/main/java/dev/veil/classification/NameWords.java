package dev.veil.classification;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words of an identifier or a comment, lower case: {@code cardNumber}, {@code CARD_NUMBER}, {@code card-number}
 * and "Card number" all give [card, number]; letters and digits split ({@code address_line1} gives [address, line, 1]).
 */
final class NameWords {
    private NameWords() {
    }

    static List<String> of(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char previous = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean letter = Character.isLetter(c);
            boolean digit = Character.isDigit(c);
            boolean boundary = !letter && !digit
                    || word.length() > 0 && (Character.isDigit(previous) != digit
                    || Character.isUpperCase(c) && Character.isLowerCase(previous)
                    // the last capital of an acronym starts the next word: APIKey → API, Key
                    || Character.isUpperCase(previous) && Character.isUpperCase(c) && i + 1 < text.length()
                    && Character.isLowerCase(text.charAt(i + 1)));
            if (boundary && word.length() > 0) {
                words.add(word.toString().toLowerCase(Locale.ROOT));
                word.setLength(0);
            }
            if (letter || digit) {
                word.append(c);
            }
            previous = c;
        }
        if (word.length() > 0) {
            words.add(word.toString().toLowerCase(Locale.ROOT));
        }
        return words;
    }
}
