#!/bin/sh
# Usage: bench/filter-eval/run-attachment-eval.sh [DIR_OR_TESTS_JAR...]
# Defaults: Debian's clamav-testfiles (apt-get install clamav-testfiles) and the -tests jars of Tika's
# parser modules (microsoft, pkg, pdf, code), fetched from Maven Central into the local repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
tika=$(sed -n 's:.*<tika.version>\(.*\)</tika.version>.*:\1:p' pom.xml)
m2=${MAVEN_REPO:-$HOME/.m2/repository}
if [ $# -eq 0 ]; then
  set -- /usr/share/clamav-testfiles
  for m in microsoft pkg pdf code; do
    ./mvnw -q -B dependency:get -Dartifact="org.apache.tika:tika-parser-$m-module:$tika:jar:tests" -Dtransitive=false
    set -- "$@" "$m2/org/apache/tika/tika-parser-$m-module/$tika/tika-parser-$m-module-$tika-tests.jar"
  done
fi
./mvnw -q -B -pl filter -am compile
./mvnw -q -B -pl filter dependency:build-classpath -Dmdep.outputFile=target/filter-eval-classpath.txt
java -Xmx1g -cp "filter/target/classes:$(cat filter/target/filter-eval-classpath.txt)" "$here/AttachmentEval.java" "$@"
