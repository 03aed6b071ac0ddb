/**
 * A scripted, in-memory {@link dev.infer4j.server.backend.CompletionBackend} for server tests: byte-level tokenizer,
 * a trivial chat template and a single "engine" thread that writes scripted replies. Test code only; depends on the
 * backend port and the JDK.
 */
package dev.infer4j.server.fake;
