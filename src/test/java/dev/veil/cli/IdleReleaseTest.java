package dev.veil.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.veil.cli.IdleRelease.FILE_OR_SHARED;
import static dev.veil.cli.IdleRelease.PRESENT;
import static dev.veil.cli.IdleRelease.SWAPPED;
import static org.assertj.core.api.Assertions.assertThat;

class IdleReleaseTest {
    private static final List<String> MAPS = List.of(
            "00400000-04c0d000 r-xp 00000000 fd:01 1234 /opt/veil/veil-runner",
            "04c0d000-07800000 r--p 0480d000 fd:01 1234 /opt/veil/veil-runner",
            "7f3a00000000-7f3a06000000 rw-p 07400000 fd:01 1234 /opt/veil/veil-runner",
            "7f3a10000000-7f3a10021000 rw-p 00000000 00:00 0 ",
            "7f3a20000000-7f3a20028000 r-xp 00000000 fd:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f3a30000000-7f3a30001000 r--p 00000000 fd:01 77 /opt/veil/veil-runner (deleted)",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]");

    @Test
    void onlyTheExecutablesOwnMappingsAreFoundWithTheirWritePermission() {
        assertThat(IdleRelease.mappingsOf("/opt/veil/veil-runner", MAPS)).containsExactly(
                new IdleRelease.Mapping(0x400000L, 0x4c0d000L, false),
                new IdleRelease.Mapping(0x4c0d000L, 0x7800000L, false),
                new IdleRelease.Mapping(0x7f3a00000000L, 0x7f3a06000000L, true));
    }

    @Test
    void privateCopiesAndSwappedPagesAreLeftOutOfTheReleasedRuns() {
        long file = PRESENT | FILE_OR_SHARED | 0x1234;
        long relocated = PRESENT | 0x5678;
        long[] entries = {file, 0, file, relocated, file, SWAPPED, relocated, file, 0};
        List<long[]> runs = IdleRelease.releasable(0x10000, 0x1000, entries);
        assertThat(runs).extracting(r -> Long.toHexString(r[0]) + "-" + Long.toHexString(r[1]))
                .containsExactly("10000-13000", "14000-15000", "17000-19000");
    }

    @Test
    void aMappingOfOnlyPrivateCopiesReleasesNothing() {
        assertThat(IdleRelease.releasable(0x10000, 0x1000, new long[]{PRESENT, PRESENT})).isEmpty();
    }

    @Test
    void cpuTimeIsReadPastAProcessNameWithSpacesAndParentheses() {
        String stat = "4242 (veil (main) x) S 1 4242 4242 0 -1 4194560 9000 0 12 0 370 55 0 0 20 0 40 0 1234 "
                + "150000000 30000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
        assertThat(IdleRelease.cpuTicks(stat)).isEqualTo(425);
    }

    @Test
    void residentMemoryIsReadFromStatus() {
        assertThat(IdleRelease.resident(List.of("VmRSS:\t  125000 kB", "RssAnon:\t   35000 kB",
                "RssFile:\t   90000 kB", "RssShmem:\t       0 kB"))).isEqualTo(new IdleRelease.Resident(35000, 90000));
    }

    @Test
    void growthInEitherPartCountsAndShrinkingDoesNot() {
        IdleRelease.Resident released = new IdleRelease.Resident(30000, 28000);
        assertThat(new IdleRelease.Resident(34096, 28000).grownSince(released, 4096)).isTrue();
        assertThat(new IdleRelease.Resident(30000, 32096).grownSince(released, 4096)).isTrue();
        assertThat(new IdleRelease.Resident(34095, 32095).grownSince(released, 4096)).isFalse();
        assertThat(new IdleRelease.Resident(20000, 90000 - 70000).grownSince(released, 4096)).isFalse();
    }
}
