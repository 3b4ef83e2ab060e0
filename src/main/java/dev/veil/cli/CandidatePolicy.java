package dev.veil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.veil.policy.PolicyParser;
import dev.veil.policy.PolicyProblem;
import dev.veil.policy.PolicySet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A policy file the policy tools read (not the one in force): loaded with the same parser as Veil's, for the
 * environment asked for, else the one the file names, else veil.environment.
 */
final class CandidatePolicy {
    private CandidatePolicy() {
    }

    /** The file cannot be used: the loader's message (every mistake, file:line:column), or why it cannot be read. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }
    }

    static String text(Path file, String what) throws Unusable {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Unusable(file + ": no such " + what);
        } catch (IOException e) {
            throw new Unusable(file + ": cannot be read: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Unusable(file + ":1:1: the " + what + " is not UTF-8 text");
        }
    }

    static PolicySet load(Path file, String environment, String configured) throws Unusable {
        String text = text(file, "policy file");
        String env = environment != null ? environment : declared(text);
        try {
            return PolicyParser.parse(text, file.toString(), env != null ? env : configured);
        } catch (PolicyProblem e) {
            throw new Unusable(e.getMessage());
        }
    }

    /** The environment.name the file declares, null when it names none (or is not YAML: the parser says so). */
    private static String declared(String text) {
        try {
            Object root = new ObjectMapper(new YAMLFactory()).readValue(text, Object.class);
            if (root instanceof Map<?, ?> top && top.get("environment") instanceof Map<?, ?> env
                    && env.get("name") instanceof String name) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
