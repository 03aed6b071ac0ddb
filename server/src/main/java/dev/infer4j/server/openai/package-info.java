/**
 * The OpenAI wire format: parsing and validating request bodies into {@link dev.infer4j.server.backend} values, and
 * writing response bodies, stream chunks and error bodies as JSON. Depends on Jackson and the backend port; knows
 * nothing of Netty or of sockets, so every shape here can be tested as plain JSON.
 */
package dev.infer4j.server.openai;
