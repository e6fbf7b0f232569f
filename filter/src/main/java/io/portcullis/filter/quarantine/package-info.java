/** The encrypted, content-addressed store of originals. */
package io.portcullis.filter.quarantine;
