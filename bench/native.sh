#!/bin/sh
# native.sh: builds (or tests) the native executable. `make native` and `make native-test` run it.
#   bench/native.sh package        target/veil-*-runner
#   bench/native.sh test           src/native-test against the executable already built (no rebuild)
# Toolchain: GRAALVM_HOME when set (a GraalVM or Mandrel). Otherwise the stand-in of ../shared/tools/native-standin,
# assembled by its `setup` (Maven artifacts and local sources only) with Temurin 25 as JAVA_HOME; that executable is
# for checks and measurements on this machine only (docs/native-build.md). All native-image options live in the
# project (application.properties quarkus.native.*, META-INF/native-image, @RegisterForReflection), none here.
set -eu
cd "$(dirname -- "$0")/.."
MVN=${MVN:-mvn -B}
goal=${1:-package}

if [ -z "${GRAALVM_HOME:-}" ]; then
    standin=${NATIVE_STANDIN:-../shared/tools/native-standin/setup}
    # In a git worktree, ../shared is next to the worktree, not the main checkout: look beside the main checkout too.
    if [ -z "${NATIVE_STANDIN:-}" ] && [ ! -x "$standin" ]; then
        main=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
        [ -n "$main" ] && [ -x "$(dirname "$main")/../shared/tools/native-standin/setup" ] \
            && standin="$(dirname "$main")/../shared/tools/native-standin/setup"
    fi
    jdk=${NATIVE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    if [ ! -x "$standin" ]; then
        echo "native.sh: GRAALVM_HOME is not set and the stand-in toolchain ($standin) is not there;" >&2
        echo "           point GRAALVM_HOME at a GraalVM 25 / Mandrel, or set NATIVE_STANDIN" >&2
        exit 2
    fi
    if [ ! -x "$jdk/bin/java" ]; then
        echo "native.sh: the stand-in toolchain needs Temurin 25 at $jdk (Debian package temurin-25-jdk);" >&2
        echo "           set NATIVE_JAVA_HOME to another JDK 25, or GRAALVM_HOME to a GraalVM" >&2
        exit 2
    fi
    export JAVA_HOME="$jdk"
    # setup reads MVN as one command name (make exports MVN="mvn -B"): it gets its default.
    GRAALVM_HOME=$(env -u MVN JAVA_HOME="$jdk" "$standin" | sed -n 's/^GRAALVM_HOME=//p' | tail -n 1)
    [ -n "$GRAALVM_HOME" ] || { echo "native.sh: $standin printed no GRAALVM_HOME" >&2; exit 2; }
    echo "native.sh: stand-in toolchain GRAALVM_HOME=$GRAALVM_HOME (JAVA_HOME=$JAVA_HOME)" >&2
fi
export GRAALVM_HOME

case $goal in
    package)
        exec $MVN package -Dnative -DskipTests ;;
    test)
        # The executable and target/quarkus-artifact.properties from `package`; failsafe runs only the native ITs
        # (not the packaged jar's *JvmIT), surefire nothing.
        ls target/*-runner >/dev/null 2>&1 || { echo "native.sh: no target/*-runner: run make native first" >&2; exit 2; }
        exec $MVN -Dnative test-compile failsafe:integration-test failsafe:verify -Dit.test='Native*IT' ;;
    *)
        echo "usage: bench/native.sh package|test" >&2; exit 2 ;;
esac
