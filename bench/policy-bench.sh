#!/usr/bin/env bash
# JMH benchmark of the policy decision step: cache hit and cache miss (every rule's CEL condition), p50/p99 in µs,
# under docs/policy.md's example policy. Usage: bench/policy-bench.sh [extra JMH options]; JMH_OPTS overrides the
# default run length.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=${MVN:-mvn -B}
$MVN -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main \
    ${JMH_OPTS:--f 1 -wi 3 -w 3s -i 5 -r 3s} "$@" dev.veil.policy.bench.PolicyBenchmark
