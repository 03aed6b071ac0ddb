/**
 * The {@code infer4j} command line (picocli). Subcommands only parse options and call module APIs; no
 * inference logic lives here.
 */
package dev.infer4j.cli;
