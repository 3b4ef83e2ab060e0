# Veil: the two commands a newcomer needs are `make run` and `make test`.
MVN ?= mvn -B
JAR := target/quarkus-app/quarkus-run.jar
SOURCES := pom.xml $(shell find src/main -type f 2>/dev/null)
# make install: <PREFIX>/bin/veil (the launcher) and <PREFIX>/lib/veil/ (the packaged application)
PREFIX ?= $(HOME)/.local

.PHONY: run test test-fast test-faults fuzz bench bench-policy native native-test clean package install uninstall

## run: build if needed, then start Veil in demo mode (embedded PostgreSQL and MariaDB with the shop data).
##      Ports come from the environment: VEIL_PG_PORT (15432), VEIL_MYSQL_PORT (13306), VEIL_HTTP_PORT (8080),
##      VEIL_DEMO_POSTGRES_PORT (15433), VEIL_DEMO_MARIADB_PORT (13307); any veil.* property as VEIL_…, or JAVA_OPTS=-D…
run: $(JAR)
	java $(JAVA_OPTS) -jar $(JAR)

## install: the `veil` command in $(PREFIX)/bin (default ~/.local/bin) with the application in $(PREFIX)/lib/veil;
##          run it again after changing the code (bin/veil in the checkout always runs the latest build)
install: $(JAR)
	@test -n "$(PREFIX)" || { echo "PREFIX is empty" >&2; exit 2; }
	rm -rf "$(DESTDIR)$(PREFIX)/lib/veil"
	mkdir -p "$(DESTDIR)$(PREFIX)/lib/veil" "$(DESTDIR)$(PREFIX)/bin"
	cp -R target/quarkus-app/. "$(DESTDIR)$(PREFIX)/lib/veil/"
	cp bin/veil "$(DESTDIR)$(PREFIX)/bin/veil"
	chmod 755 "$(DESTDIR)$(PREFIX)/bin/veil"
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: $(PREFIX)/bin is not on your PATH";; esac

uninstall:
	@test -n "$(PREFIX)" || { echo "PREFIX is empty" >&2; exit 2; }
	rm -rf "$(DESTDIR)$(PREFIX)/lib/veil" "$(DESTDIR)$(PREFIX)/bin/veil"

## test: the whole suite (unit, protocol, real servers through real drivers), then the packaged jar's
##       integration tests (the audit crash test kills a Veil process with SIGKILL)
test:
	$(MVN) verify

## test-fast: unit, golden, pipeline and conversation tests only (no database servers, no Quarkus boot; tests
##            that need them are tagged "servers"): the loop while editing. `make test` before committing.
test-fast:
	$(MVN) test -DexcludedGroups=servers

## test-faults: the limits-and-faults suite only (JUnit tag "faults": slowloris, pre-login memory, audit disk full,
##              catalog locks, policy file corrupted, upstream killed under load, identity provider down; docs/testing.md)
test-faults:
	$(MVN) test -Dgroups=faults -Dsurefire.failIfNoSpecifiedTests=false

## fuzz: each fuzz target (Jazzer, @FuzzTest) fuzzed for FUZZ_SECONDS (default 60) in turn, then a table of executions
##       and findings per target. A finding is written next to the target's inputs, where `make test` replays it
##       (docs/testing.md). One target: fuzz/run.sh dev.veil.audit.AuditFileFuzzTest#auditFile
fuzz:
	MVN="$(MVN)" fuzz/run.sh

## bench: pgbench through direct / Veil / PgBouncer, sysbench direct / Veil on MySQL (ratios printed,
## bench/README.md), then the JMH benchmarks of statement analysis and of the policy decision (cache miss / hit)
bench: $(JAR)
	bench/pg-bench.sh
	bench/mysql-bench.sh
	MVN="$(MVN)" bench/analysis-bench.sh
	MVN="$(MVN)" bench/policy-bench.sh

## bench-policy: the JMH benchmark of the policy decision alone (cache hit / miss, bench/policy-bench.sh); no servers
bench-policy:
	MVN="$(MVN)" bench/policy-bench.sh

## native: native executable target/veil-*-runner with GRAALVM_HOME, or else the stand-in toolchain of
##         ../shared/tools/native-standin on Temurin 25 (checks and measurements only; docs/native-build.md).
##         About 5 minutes and 7 GB on 2 cores.
native:
	MVN="$(MVN)" bench/native.sh package

## native-test: src/native-test (@QuarkusIntegrationTest) against the executable `make native` built; not in `make test`
native-test:
	MVN="$(MVN)" bench/native.sh test

package: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) -q package -DskipTests

clean:
	$(MVN) -q clean
