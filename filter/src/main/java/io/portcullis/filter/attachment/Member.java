package io.portcullis.filter.attachment;

/**
 * A file carried inside a container that the module reads itself (TNEF, RTF objects, PDF embedded
 * files, stored RAR/CAB members), with the name the container gives it.
 */
record Member(String name, byte[] data) {}
