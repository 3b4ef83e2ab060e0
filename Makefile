# Veil: the two commands a newcomer needs are `make run` and `make test`.
MVN ?= mvn -B
JAR := target/quarkus-app/quarkus-run.jar
SOURCES := pom.xml $(shell find src/main -type f 2>/dev/null)

.PHONY: run test test-fast bench native native-test clean package

## run: build if needed, then start Veil in demo mode (embedded PostgreSQL and MariaDB with the shop data)
run: $(JAR)
	java $(JAVA_OPTS) -jar $(JAR)

## test: the whole suite (unit, protocol, real servers through real drivers), then the packaged jar's
##       integration tests (the audit crash test kills a Veil process with SIGKILL)
test:
	$(MVN) verify

## test-fast: unit, golden, pipeline and conversation tests only (no database servers, no Quarkus boot; tests
##            that need them are tagged "servers"): the loop while editing. `make test` before committing.
test-fast:
	$(MVN) test -DexcludedGroups=servers

## bench: pgbench through direct / Veil / PgBouncer, sysbench direct / Veil on MySQL (ratios printed,
## bench/README.md), then the JMH benchmark of statement analysis (cache miss / hit, bench/analysis-bench.sh)
bench: $(JAR)
	bench/pg-bench.sh
	bench/mysql-bench.sh
	MVN="$(MVN)" bench/analysis-bench.sh

## native: native executable (needs GRAALVM_HOME; see README "Native build")
native:
	$(MVN) package -Dnative -DskipTests $(NATIVE_OPTS)

## native-test: run the native-image integration tests against target/*-runner
native-test:
	$(MVN) verify -Dnative $(NATIVE_OPTS)

package: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) -q package -DskipTests

clean:
	$(MVN) -q clean
