/**
 * The OpenAI-compatible HTTP server over Netty: parsing, validation, auth, SSE. Talks to the runtime only through the Engine API; knows no SIMD and no model internals.
 */
package dev.infer4j.server;
