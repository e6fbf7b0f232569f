/**
 * Attachments by true type: magic bytes, containers, archives within limits, and the attachment
 * rules.
 */
package io.portcullis.filter.attachment;
