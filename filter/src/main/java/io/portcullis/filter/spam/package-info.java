/** Spam and phishing rules, the tokenizer and the Robinson-Fisher statistical classifier. */
package io.portcullis.filter.spam;
