/**
 * The Portcullis policy language: {@link io.portcullis.policy.PolicyLoader} validates a YAML policy
 * into an immutable {@link io.portcullis.policy.Policy}; {@link io.portcullis.policy.PolicyEngine}
 * turns session and message facts into access, routing, scanning and filtering decisions, each
 * naming the rule that made it. Parameters and return values are never null unless documented.
 */
package io.portcullis.policy;
