/** Clients for external engines (clamd, spamd, rspamd) that fail closed. */
package io.portcullis.filter.engine;
