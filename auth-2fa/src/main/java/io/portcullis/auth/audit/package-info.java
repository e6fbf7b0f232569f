/** Audit events of logins and credential changes, formatted as JSON lines without secrets. */
package io.portcullis.auth.audit;
