package io.portcullis.policy;

/**
 * One compiled rule: where it is, what it matches and the complete decision it makes (section
 * defaults already merged in, so evaluation returns this object as is). Immutable.
 */
record Rule<D extends Decision>(RuleRef ref, Match match, D decision) {

  boolean monitor() {
    return ref.monitor();
  }
}
