/**
 * Fetching GGUF models from a Hugging Face-style hub into a local cache: file listing, choice of the quant
 * asked for, resumable download with progress, and a SHA-256 check against the hub's LFS ETag. Uses only the
 * JDK's HTTP client; the hub's address is a setting so tests (and mirrors) can stand in for it.
 */
package dev.infer4j.runtime.hub;
