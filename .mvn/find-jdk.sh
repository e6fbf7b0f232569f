# Sourced by ./mvnw and ./portcullis: makes JAVA_HOME point at a JDK 21 or newer when the one in
# the environment (or the java on PATH) is older, looking in the usual JVM folders. Leaves a
# suitable JAVA_HOME alone. POSIX sh.

portcullis_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ { split($2, v, "."); print v[1]; exit }'
}

portcullis_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] &&
    [ "$(portcullis_java_major "$JAVA_HOME/bin/java")" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null 2>&1 &&
    [ "$(portcullis_java_major java)" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  _best=""
  _best_version=0
  _noglob=""
  case $- in *f*) _noglob=1 ;; esac
  set +f # mvnw runs with globbing off
  for _candidate in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$_candidate/bin/java" ] || continue
    _version=$(portcullis_java_major "$_candidate/bin/java")
    if [ "${_version:-0}" -ge 21 ] 2>/dev/null && [ "$_version" -gt "$_best_version" ]; then
      _best="$_candidate"
      _best_version="$_version"
    fi
  done
  [ -z "$_noglob" ] || set -f
  if [ -n "$_best" ]; then
    JAVA_HOME="$_best"
    export JAVA_HOME
    return 0
  fi
  return 1
}

portcullis_find_jdk || echo "warning: no JDK 21 or newer found; set JAVA_HOME to one" >&2
