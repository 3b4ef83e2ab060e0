package dev.veil.conversation;

import dev.veil.masking.Masker;
import dev.veil.policy.MaskingPlan;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A statement's masking plan on the PostgreSQL wire, through the real front end against a scripted server: each
 * statement's plan applies to its own answer whatever the client pipelines (simple queries, extended batches,
 * portals fetched in parts, binary format), a result Veil cannot map onto the plan is withheld with 42501 and the
 * session goes on, and errors of a masked statement lose the values they echo. The scripted server sends the same
 * value to masked and unmasked statements, so a plan applied to the wrong answer shows.
 */
class PgMaskingConversationTest {
    private static final String PHONE = "555-867-5309";
    private static final String MASKED_PHONE = "xxxxxxxx5309";
    private static final String MASKED = "SELECT v AS veil_mask_phone FROM items";
    private static final String PLAIN = "SELECT v AS plain FROM items";
    private static final String WIDE = "SELECT v AS veil_mask_wide FROM items";
    private static final String FAILING = "SELECT v AS veil_mask_failing FROM items";
    private static final String CURSOR = "FETCH 1 FROM veil_mask_cursor";

    private Vertx vertx;
    private ScriptedUpstream upstream;
    private InProcessVeil veil;
    private PgWireClient client;

    @BeforeAll
    static void warmUp() throws Exception {
        Stage.warmUp();
    }

    @BeforeEach
    void start() throws Exception {
        InProcessVeil.MASKED.put("veil_mask_phone", phonePlan(1));
        InProcessVeil.MASKED.put("veil_mask_wide", phonePlan(2));
        InProcessVeil.MASKED.put("veil_mask_failing", phonePlan(1));
        InProcessVeil.MASKED.put("veil_mask_cursor", new MaskingPlan(List.of(), List.of(
                new MaskingPlan.Directive("phone", "partial(4)")), -1, "veil_mask_cursor"));
        vertx = Vertx.vertx();
        upstream = new ScriptedPgServer(vertx)
                .on(MASKED, ScriptedUpstream.Answer.rows(PHONE, PHONE, PHONE).whenDescribed())
                .on(PLAIN, ScriptedUpstream.Answer.rows(PHONE).whenDescribed())
                .on(WIDE, ScriptedUpstream.Answer.rows(PHONE))
                .on(CURSOR, ScriptedUpstream.Answer.rows(PHONE))
                .on(FAILING, ScriptedUpstream.Answer.failing("23505", 1062,
                        "duplicate key value violates unique constraint \"customers_phone_key\" for \"" + PHONE + "\"",
                        "Key (phone)=(" + PHONE + ") already exists."))
                .start();
        veil = InProcessVeil.start(vertx, upstream);
        client = PgWireClient.login(veil.port(), InProcessVeil.USER, InProcessVeil.PASSWORD, InProcessVeil.DATABASE);
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
    void aSimpleQuerysRowsAreMaskedAndItsDescriptionGoesOutUnchanged() throws Exception {
        Reply reply = client.query(MASKED);
        assertThat(reply.frames()).containsExactly("RowDescription", "DataRow", "DataRow", "DataRow",
                "CommandComplete SELECT 3", "ReadyForQuery I");
        assertThat(reply.rows()).containsExactly(MASKED_PHONE, MASKED_PHONE, MASKED_PHONE);
    }

    @Test
    void pipelinedQueriesEachGoThroughTheirOwnPlan() throws Exception {
        client.sendQueries(List.of(PLAIN, MASKED, PLAIN));
        assertThat(client.readAnswer().rows()).containsExactly(PHONE);
        assertThat(client.readAnswer().rows()).containsExactly(MASKED_PHONE, MASKED_PHONE, MASKED_PHONE);
        assertThat(client.readAnswer().rows()).containsExactly(PHONE);
    }

    @Test
    void anExtendedBatchMasksTheDescribedPortalOnlyAndNotTheStatementAfterIt() throws Exception {
        client.write(Buffer.buffer()
                .appendBuffer(PgMessages.parse("", MASKED)).appendBuffer(PgMessages.bind("", ""))
                .appendBuffer(PgMessages.describe('P', "")).appendBuffer(PgMessages.execute(""))
                .appendBuffer(PgMessages.parse("", PLAIN)).appendBuffer(PgMessages.bind("", ""))
                .appendBuffer(PgMessages.describe('P', "")).appendBuffer(PgMessages.execute(""))
                .appendBuffer(PgMessages.sync()));
        Reply reply = client.readAnswer();
        assertThat(reply.rows()).containsExactly(MASKED_PHONE, MASKED_PHONE, MASKED_PHONE, PHONE);
        assertThat(reply.errors()).isEmpty();
    }

    @Test
    void binaryRowsOfAPortalOfAStatementDescribedEarlierAreMaskedInTheirSuspendedParts() throws Exception {
        client.write(Buffer.buffer().appendBuffer(PgMessages.parse("s1", MASKED))
                .appendBuffer(PgMessages.describe('S', "s1")).appendBuffer(PgMessages.sync()));
        assertThat(client.readAnswer().frames()).containsExactly("ParseComplete", "t", "RowDescription", "ReadyForQuery I");

        // No Describe in this batch: the columns are the statement's, in the binary format the Bind asks for.
        client.write(Buffer.buffer().appendBuffer(PgMessages.bind("p", "s1", 1))
                .appendBuffer(PgMessages.execute("p", 2)).appendBuffer(PgMessages.execute("p", 2))
                .appendBuffer(PgMessages.sync()));
        Reply reply = client.readAnswer();
        assertThat(reply.frames()).containsExactly("BindComplete", "DataRow", "DataRow", "s", "DataRow",
                "CommandComplete SELECT 1", "ReadyForQuery I");
        assertThat(reply.rows()).containsExactly(MASKED_PHONE, MASKED_PHONE, MASKED_PHONE);
    }

    @Test
    void rowsWhoseColumnsVeilNeverSawDescribedAreWithheld() throws Exception {
        client.write(Buffer.buffer().appendBuffer(PgMessages.parse("", MASKED)).appendBuffer(PgMessages.bind("", ""))
                .appendBuffer(PgMessages.execute("")).appendBuffer(PgMessages.sync()));
        Reply reply = client.readAnswer();
        assertThat(reply.rows()).isEmpty();
        assertThat(reply.error().code()).isEqualTo("42501");
        assertThat(reply.error().message()).contains("masking:", "describe");
        assertThat(client.query(PLAIN).rows()).containsExactly(PHONE);
    }

    @Test
    void aResultOfAnotherWidthThanThePlanIsWithheldAndTheSessionGoesOn() throws Exception {
        Reply reply = client.query(WIDE);
        assertThat(reply.rows()).isEmpty();
        assertThat(reply.frames()).containsExactly("RowDescription", "ErrorResponse ERROR 42501", "ReadyForQuery I");
        assertThat(reply.error().message()).contains("1 columns", "expects 2", "fail closed");
        assertThat(client.query(PLAIN).rows()).containsExactly(PHONE);
    }

    @Test
    void anErrorOfAMaskedStatementLosesTheValuesItEchoes() throws Exception {
        Reply reply = client.query(FAILING);
        assertThat(reply.error().code()).isEqualTo("23505");
        assertThat(reply.error().message()).doesNotContain(PHONE)
                .isEqualTo("duplicate key value violates unique constraint \"***\" for \"***\"");
    }

    @Test
    void aFetchFromACursorThisSessionNeverDeclaredIsWithheld() throws Exception {
        Reply reply = client.query(CURSOR);
        assertThat(reply.rows()).isEmpty();
        assertThat(reply.error().code()).isEqualTo("42501");
        assertThat(reply.error().message()).contains("cursor \"veil_mask_cursor\"");
    }
}
