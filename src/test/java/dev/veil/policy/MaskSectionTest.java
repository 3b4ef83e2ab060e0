package dev.veil.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The masking parts of a policy file: directives (masker, filter), unknown-lineage and the masking section. */
class MaskSectionTest {
    private static final String ROLES = """
            roles:
              analyst:
                local-accounts: [ann]
            """;

    private static List<PolicyProblem.Mistake> mistakes(String yaml) {
        return assertThrows(PolicyProblem.class, () -> PolicyParser.parse(yaml, "policy.yaml", "prod")).mistakes();
    }

    @Test
    void directivesKeepTheirFilterAndTheFileItsProbingBudget() throws PolicyProblem {
        PolicySet set = PolicyParser.parse(ROLES + """
                rules:
                  - name: masked
                    when: "true"
                    outcome: mask
                    mask:
                      - {tag: email, masker: email}
                      - {tag: person_name, masker: pseudonym, filter: equality}
                    unknown-lineage: scan
                masking:
                  probing-budget: 7
                """, "policy.yaml", "prod");
        assertThat(set.probingBudget()).isEqualTo(7);
        assertThat(PolicyParser.parse(ROLES, "policy.yaml", "prod").probingBudget()).isEqualTo(100);
    }

    @Test
    void maskerFilterUnknownLineageAndBudgetMistakesAreNamedAtTheirLineAndColumn() {
        assertThat(mistakes(ROLES + """
                rules:
                  - name: masked
                    when: "true"
                    outcome: mask
                    mask:
                      - {tag: email, masker: emial}
                      - {tag: phone, masker: partial(x)}
                      - {tag: ssn, masker: redact, filter: fuzzy}
                    unknown-lineage: maybe
                  - name: plain
                    when: "true"
                    outcome: allow
                    unknown-lineage: scan
                masking:
                  probing-budget: -1
                """)).containsExactly(
                new PolicyProblem.Mistake(9, 30, "rule masked: mask: unknown masker 'emial'; use redact, partial(N), email, "
                        + "pseudonym, hash, nullify, date-to-year or fixed(value)"),
                new PolicyProblem.Mistake(10, 30, "rule masked: mask: masker 'partial(x)': partial(N) keeps N characters, "
                        + "N a whole number of 0 or more"),
                new PolicyProblem.Mistake(11, 44, "rule masked: mask: filter \"fuzzy\" is not a filter; use none (the "
                        + "default: a masked column cannot be filtered, joined, grouped or ordered on), equality or any"),
                new PolicyProblem.Mistake(12, 22, "rule masked: unknown-lineage: \"maybe\" is not a choice; use refuse (the "
                        + "default: a result column Veil cannot trace is refused) or scan (masked where a value looks sensitive)"),
                new PolicyProblem.Mistake(16, 5, "rule plain: unknown-lineage: only for outcome mask"),
                new PolicyProblem.Mistake(18, 19, "masking.probing-budget: \"-1\" is not a number of probes per identity per "
                        + "hour; use a whole number of 0 or more (0 turns the budget off)"));
    }

    @Test
    void theMaskingSectionTakesOnlyTheProbingBudget() {
        assertThat(mistakes(ROLES + """
                masking:
                  probing-budgets: 3
                """)).containsExactly(new PolicyProblem.Mistake(5, 3,
                "masking: unknown key \"probing-budgets\"; expected probing-budget"));
    }
}
