package io.portcullis.policy;

/** A policy keyword: the spelling of an enum constant in policy YAML. */
interface YamlName {

  /** The spelling in policy files and in explanations. */
  String yamlName();
}
