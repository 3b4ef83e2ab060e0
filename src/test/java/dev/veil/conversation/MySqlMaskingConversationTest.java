package dev.veil.conversation;

import dev.veil.masking.Masker;
import dev.veil.policy.MaskingPlan;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A statement's masking plan on the MySQL wire, through the real front end against a scripted server: text rows
 * of COM_QUERY and binary rows of COM_STMT_EXECUTE are masked, pipelined commands each go through their own plan,
 * a result Veil cannot map onto the plan is refused with 1142 in place of its end and the session goes on, and the
 * ERR of a masked statement loses the values it quotes. The scripted server sends the same value to masked and
 * unmasked statements, so a plan applied to the wrong answer shows.
 */
class MySqlMaskingConversationTest {
    private static final String PHONE = "555-867-5309";
    private static final String MASKED_PHONE = "xxxxxxxx5309";
    private static final String MASKED = "SELECT v AS veil_mask_phone FROM items";
    private static final String PLAIN = "SELECT v AS plain FROM items";
    private static final String WIDE = "SELECT v AS veil_mask_wide FROM items";
    private static final String FAILING = "SELECT v AS veil_mask_failing FROM items";

    private Vertx vertx;
    private ScriptedUpstream upstream;
    private InProcessVeil veil;
    private MySqlWireClient client;

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @BeforeEach
    void start() throws Exception {
        InProcessVeil.MASKED.put("veil_mask_phone", phonePlan(1));
        InProcessVeil.MASKED.put("veil_mask_wide", phonePlan(3));
        InProcessVeil.MASKED.put("veil_mask_failing", phonePlan(1));
        vertx = Vertx.vertx();
        upstream = new ScriptedMySqlServer(vertx)
                .on(MASKED, ScriptedUpstream.Answer.rows(PHONE, PHONE))
                .on(PLAIN, ScriptedUpstream.Answer.rows(PHONE))
                .on(WIDE, ScriptedUpstream.Answer.rows(PHONE))
                .on(FAILING, ScriptedUpstream.Answer.failing("23000", 1062,
                        "Duplicate entry '" + PHONE + "' for key 'customers.phone'", null))
                .start();
        veil = InProcessVeil.start(vertx, upstream);
        client = MySqlWireClient.login(veil.port(), InProcessVeil.USER, InProcessVeil.PASSWORD, InProcessVeil.DATABASE);
    }

    @AfterEach
    void stop() throws Exception {
        InProcessVeil.MASKED.clear();
        try {
            client.close();
            veil.close();
            upstream.close();
        } finally {
            InProcessVeil.await(vertx.close());
        }
    }

    private static MaskingPlan phonePlan(int width) {
        return new MaskingPlan(List.of(new MaskingPlan.ColumnMask(0, "v", List.of("phone"), Masker.parse("partial(4)"),
                false)), width);
    }

    @Test
    void textRowsOfAQueryAreMaskedAndItsColumnDefinitionsGoOutUnchanged() throws Exception {
        Reply reply = client.query(MASKED);
        assertThat(reply.frames()).containsExactly("ColumnCount 1", "ColumnDefinition", "EOF", "Row", "Row", "EOF");
        assertThat(reply.rows()).containsExactly(MASKED_PHONE, MASKED_PHONE);
    }

    @Test
    void pipelinedQueriesEachGoThroughTheirOwnPlan() throws Exception {
        client.sendQueries(List.of(PLAIN, MASKED, PLAIN));
        assertThat(client.readAnswer().rows()).containsExactly(PHONE);
        assertThat(client.readAnswer().rows()).containsExactly(MASKED_PHONE, MASKED_PHONE);
        assertThat(client.readAnswer().rows()).containsExactly(PHONE);
    }

    @Test
    void binaryRowsOfAnExecutedStatementAreMasked() throws Exception {
        client.sendBatch(List.of(MASKED, PLAIN));
        Reply reply = client.readBatchAnswer(2);
        assertThat(reply.rows()).containsExactly(MASKED_PHONE, MASKED_PHONE, PHONE);
    }

    @Test
    void aResultOfAnotherWidthThanThePlanIsRefusedInPlaceOfItsEndAndTheSessionGoesOn() throws Exception {
        Reply reply = client.query(WIDE);
        assertThat(reply.rows()).isEmpty();
        assertThat(reply.frames()).containsExactly("ColumnCount 1", "ColumnDefinition", "EOF", "ERR 1142 42000");
        assertThat(reply.error().message()).contains("1 columns", "expects 3", "fail closed");
        assertThat(client.query(PLAIN).rows()).containsExactly(PHONE);
    }

    @Test
    void theErrOfAMaskedStatementLosesTheValuesItQuotes() throws Exception {
        Reply reply = client.query(FAILING);
        assertThat(reply.error().code()).isEqualTo("1062");
        assertThat(reply.error().message()).isEqualTo("Duplicate entry '***' for key '***'");
    }
}
