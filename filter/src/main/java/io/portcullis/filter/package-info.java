/**
 * Message filtering: {@link io.portcullis.filter.MessageAnalyzer} decides, {@link
 * io.portcullis.filter.MessageRewriter} rewrites, the quarantine keeps originals. Everything else
 * in the subpackages is internal to the module.
 */
package io.portcullis.filter;
