# Sourced by ./infer4j and .ci/run: finds a JDK of at least a given feature version without hard-coding one
# machine's path. Looks at JAVA_HOME, the java on PATH, then the usual install folders.

# Prints the feature version of the JDK at $1 (reads its `release` file, so no JVM is started).
infer4j_jdk_version() {
  local release="$1/release" v
  [ -f "$release" ] || return 1
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release")
  [ -n "$v" ] && echo "$v"
}

# Prints the home of the first JDK whose version is at least $1 (and that has javac), or fails.
infer4j_find_jdk() {
  local want="$1" candidates=() dir v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for dir in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
             "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$dir" ] && candidates+=("$dir")
  done
  for dir in "${candidates[@]}"; do
    v=$(infer4j_jdk_version "$dir") || continue
    if [ "$v" -ge "$want" ] && [ -x "$dir/bin/java" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}
