/** Byte plumbing for scans: spooling and counted, limited reads. */
package io.portcullis.filter.io;
