# Sourced (POSIX sh) by ./mvnw, ./kvbm and .ci/run: makes JAVA_HOME point at a JDK 25 or newer.
# Order: JAVA_HOME when it already is 25+, then /usr/lib/jvm/*25*, then any other JDK there that is 25+.

kvbm_jdk_feature() {
  # The feature release of the JDK at $1 (25 for 25.0.3), read from its `release` file; 0 if unknown.
  if [ -r "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release")
    echo "${v:-0}"
  else
    echo 0
  fi
}

kvbm_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(kvbm_jdk_feature "$JAVA_HOME")" -ge 25 ]; then
    return 0
  fi
  for candidate in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/java" ] && [ "$(kvbm_jdk_feature "$candidate")" -ge 25 ]; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      return 0
    fi
  done
  echo "kvbm needs a JDK 25 or newer and found none (JAVA_HOME=${JAVA_HOME-unset}, nothing 25+ under /usr/lib/jvm)." >&2
  echo "Install one (for example Eclipse Temurin 25: apt-get install temurin-25-jdk from the Adoptium repository)" >&2
  echo "and set JAVA_HOME to it." >&2
  return 1
}
