#!/bin/sh
# Usage: bench/filter-eval/run-speed.sh [MODEL_FILE]   (quick figure, single thread, CPU time)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
./mvnw -q -B -pl filter -am compile
./mvnw -q -B -pl filter dependency:build-classpath -Dmdep.outputFile=target/filter-eval-classpath.txt
java -Xmx1g -cp "filter/target/classes:$(cat filter/target/filter-eval-classpath.txt)" "$here/Speed.java" "$@"
